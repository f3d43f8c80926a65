# frozen_string_literal: true

require "json"
require "net/http"

# Sends the order confirmation e-mail through the mail gateway; retried by Sidekiq on failure.
class OrderConfirmationWorker
  include Sidekiq::Job
  sidekiq_options queue: :critical, retry: 10

  GATEWAY = URI(ENV.fetch("MAIL_GATEWAY_URL", "http://mail-gateway.platform.svc:8080/send"))

  def perform(order_id, email)
    response = Net::HTTP.post(GATEWAY, { template: "order-confirmation", to: email, order_id: order_id }.to_json,
                              "Content-Type" => "application/json")
    raise "mail gateway answered #{response.code}" unless response.is_a?(Net::HTTPSuccess)
  end
end
