# Application metrics, exported at /metrics next to yabeda-rails' request
# metrics (rails_requests_total, rails_request_duration_seconds, ...).
Yabeda.configure do
  group :items do
    counter :changed_total, comment: "Items created, updated or deleted", tags: %i[operation]
  end
end
