# Adds request and trace ids to the JSON request log line, so logs in Loki
# link to traces in Tempo.
Rails.application.configure do
  config.lograge.custom_payload do |controller|
    { request_id: controller.request.request_id }
  end

  config.lograge.custom_options = lambda do |_event|
    span_context = OpenTelemetry::Trace.current_span.context
    if span_context.valid?
      { trace_id: span_context.hex_trace_id, span_id: span_context.hex_span_id }
    else
      {}
    end
  end
end
