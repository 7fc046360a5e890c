-- The school's old stack, per kind of work: what `baseline_cost_usd` and the savings view compare
-- against. Effective-dated and editable by admins, because "what we ran before" is a fact about the
-- school, not about the code: an audit (issue 14) found the voice baseline was OpenAI whisper-1
-- while the old stack already transcribed on Groq whisper-large-v3, which made the savings view
-- report voice savings that never happened.
--
-- provider/model null = the old stack did this work the way we do now (the AI mentor and analyst
-- were always on OpenAI): the baseline is the call itself and no savings are claimed. The edge
-- functions price rows on these rows (`_shared/ai/baselines.ts`, read every 5 minutes per worker);
-- the catalog's OLD_STACK_BASELINES is the same seed, used when this table cannot be read.

create table public.ai_old_stack_baselines (
  operation_type text not null,
  effective_from date not null,
  provider text,
  model text,
  note text,
  updated_at timestamptz not null default now(),
  primary key (operation_type, effective_from),
  constraint ai_old_stack_baselines_operation_type_check
    check (operation_type in ('chat', 'whisper', 'vision', 'document', 'assistant')),
  constraint ai_old_stack_baselines_provider_check check (provider in ('groq', 'openai')),
  constraint ai_old_stack_baselines_model_check
    check ((provider is null) = (model is null) and (model is null or model <> ''))
);

comment on table public.ai_old_stack_baselines is
  'The old stack per operation type from effective_from (UTC day) until the next row: the baseline of baseline_cost_usd and ai_savings_vs_old_stack. provider/model null = the call itself (no savings claimed). Admins edit it.';

insert into public.ai_old_stack_baselines (operation_type, effective_from, provider, model, note)
values
  ('chat', '2024-01-01', 'openai', 'gpt-4o', 'the old stack answered students on GPT-4o'),
  ('vision', '2024-01-01', 'openai', 'gpt-4o', 'images were read by GPT-4o'),
  ('document', '2024-01-01', 'openai', 'gpt-4o', 'PDFs and documents went to GPT-4o'),
  ('whisper', '2024-01-01', 'groq', 'whisper-large-v3',
    'voice was already transcribed on Groq whisper-large-v3: no voice savings'),
  ('assistant', '2024-01-01', null, null,
    'the AI mentor and analyst were on OpenAI before and still are: the baseline is the call itself');

alter table public.ai_old_stack_baselines enable row level security;

revoke all on table public.ai_old_stack_baselines from public, anon, authenticated, service_role;
-- Everyone signed in reads it: the savings view (security invoker) joins it for students too.
grant select on table public.ai_old_stack_baselines to authenticated, service_role;
grant insert, update, delete on table public.ai_old_stack_baselines to authenticated;

create policy "Signed-in users read the old stack"
  on public.ai_old_stack_baselines
  for select
  to authenticated
  using (true);

create policy "Admins add old-stack rows"
  on public.ai_old_stack_baselines
  for insert
  to authenticated
  with check (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');

create policy "Admins change old-stack rows"
  on public.ai_old_stack_baselines
  for update
  to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin')
  with check (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');

create policy "Admins remove old-stack rows"
  on public.ai_old_stack_baselines
  for delete
  to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'admin');
