-- Singular test: no event may be more than an hour in the future. Rows
-- returned are failures (a producer clock or a timestamp parsing bug).
select
    event_id,
    occurred_at
from {{ ref('stg_events') }}
where occurred_at > cast(current_timestamp as timestamp) + interval '1' hour
