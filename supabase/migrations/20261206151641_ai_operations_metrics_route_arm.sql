-- The routing arm that served a ledger row (_shared/ai/arms.ts): 'default' when no experiment is
-- configured for the operation and platform, otherwise the arm's name ('control' for the share that
-- keeps the configured route). Arms are assigned per conversation, so every attempt of one answer
-- carries the same arm, and ai_route_arms compares them.

alter table public.ai_operations_metrics
  add column arm text not null default 'default';

alter table public.ai_operations_metrics
  add constraint ai_operations_metrics_arm_check
    check (arm ~ '^[a-z0-9][a-z0-9_.-]{0,62}$');

comment on column public.ai_operations_metrics.arm is
  'Routing arm of the experiment that served this row; ''default'' outside experiments.';
