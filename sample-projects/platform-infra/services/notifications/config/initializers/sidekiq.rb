# frozen_string_literal: true

require "sidekiq"

redis = {
  url: ENV.fetch("REDIS_URL", "redis://localhost:6379/0"),
  # ElastiCache in-transit encryption: rediss:// URLs, AWS's certificates.
  ssl_params: { verify_mode: OpenSSL::SSL::VERIFY_PEER },
  network_timeout: 3,
}

Sidekiq.configure_server { |config| config.redis = redis }
Sidekiq.configure_client { |config| config.redis = redis }
