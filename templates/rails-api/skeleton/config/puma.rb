# Puma runs in single mode (no forked workers): one process per pod, scaled
# with replicas. That keeps Prometheus metrics in one process registry.
max_threads_count = ENV.fetch("RAILS_MAX_THREADS", 5)
min_threads_count = ENV.fetch("RAILS_MIN_THREADS") { max_threads_count }
threads min_threads_count, max_threads_count

# Specifies that the worker count should equal the number of processors in production.
workers 0

port ENV.fetch("PORT", 3000)
environment ENV.fetch("RAILS_ENV") { "development" }
pidfile ENV.fetch("PIDFILE") { "tmp/pids/server.pid" }

# Kubernetes sends SIGTERM; give in-flight requests time to finish.
worker_shutdown_timeout 25

# Allow puma to be restarted by `bin/rails restart` command.
plugin :tmp_restart
