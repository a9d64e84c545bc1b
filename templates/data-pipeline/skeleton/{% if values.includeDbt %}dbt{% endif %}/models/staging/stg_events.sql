-- One row per event: typed, normalised and de-duplicated (the consumer
-- delivers at least once, so an event can appear in two raw files).
with source as (

    select * from {{ source('raw', 'events') }}
    {% if var('start_date', none) %}
    where dt >= '{{ var("start_date") }}'
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (partition by event_id order by _ingested_at) as copy_number
    from source
    where event_id is not null

)

select
    event_id,
    cast(from_iso8601_timestamp("timestamp") as timestamp) as occurred_at,
    cast(from_iso8601_timestamp("timestamp") as date) as event_date,
    lower(event_type) as event_type,
    user_id,
    upper(country) as country,
    lower(platform) as platform,
    cast(coalesce(amount, 0) as double) as amount,
    cast(from_iso8601_timestamp(_ingested_at) as timestamp) as ingested_at
from ranked
where copy_number = 1
