-- Image tokens per ledger row: how many of input_tokens were images, counted by the model's
-- documented rule (_shared/ai/image_tokens.ts) at the size the server sent. Providers report only
-- the prompt total, so this is our count, not theirs; null when the call carried no image.
-- A vision call's cost is mostly its images (a 12 MP photo ≈ 11,750 tokens on Qwen3-VL), so the
-- ledger keeps them apart for the report and the image policy's evaluation.

alter table public.ai_operations_metrics
  add column image_tokens integer;

alter table public.ai_operations_metrics
  add constraint ai_operations_metrics_image_tokens_check
    check (image_tokens is null or (image_tokens >= 0 and image_tokens <= coalesce(input_tokens, 0)));

comment on column public.ai_operations_metrics.image_tokens is
  'Input tokens spent on images (our count by the model''s rule; part of input_tokens); null = no image.';
