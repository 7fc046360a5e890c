-- The brief's two ledger indexes: time-range reads of one platform's or one edge function's rows
-- straight from the ledger (operators' ad-hoc queries, exports); the spend views read the daily
-- rollups instead. Each index is one more B-tree entry per insert: `npm run bench:ledger`-style
-- measurement in the commit that added them (issue 14 report).

create index ai_operations_metrics_platform_created_at_idx
  on public.ai_operations_metrics (platform, created_at);

create index ai_operations_metrics_function_name_created_at_idx
  on public.ai_operations_metrics (function_name, created_at);
