# frozen_string_literal: true

# Queues one digest e-mail per subscribed customer; the list comes from the CRM export.
class WeeklyDigestWorker
  include Sidekiq::Job
  sidekiq_options queue: :digest, retry: 3

  def perform(customer_ids)
    customer_ids.each_slice(500) do |batch|
      Sidekiq::Client.push_bulk("class" => DigestMailWorker, "args" => batch.map { |id| [id] })
    end
  end
end

class DigestMailWorker
  include Sidekiq::Job
  sidekiq_options queue: :digest

  def perform(customer_id)
    Sidekiq.logger.info("digest for #{customer_id}")
  end
end
