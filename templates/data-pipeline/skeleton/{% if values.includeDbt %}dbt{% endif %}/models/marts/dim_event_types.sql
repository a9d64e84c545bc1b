-- Event types with their category, from the reference seed.
select
    event_type,
    category,
    description
from {{ ref('event_types') }}
