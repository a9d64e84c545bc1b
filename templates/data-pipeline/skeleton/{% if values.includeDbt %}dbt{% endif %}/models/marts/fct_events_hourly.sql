-- Events per hour, type and country. Incremental: each run rebuilds the
-- days from the day before the newest one already built, so late events
-- are picked up; insert_overwrite replaces those day partitions.
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partitioned_by=['event_date']
    )
}}

with events as (

    select * from {{ ref('stg_events') }}
    {% if is_incremental() %}
    where event_date >= (
        select coalesce(max(event_date), date '1970-01-01') - interval '1' day from {{ this }}
    )
    {% endif %}

)

select
    date_trunc('hour', events.occurred_at) as event_hour,
    events.event_type,
    types.category as event_category,
    events.country,
    count(*) as events,
    count(distinct events.user_id) as users,
    sum(events.amount) as amount,
    events.event_date
from events
left join {{ ref('dim_event_types') }} as types
    on types.event_type = events.event_type
group by 1, 2, 3, 4, 8
