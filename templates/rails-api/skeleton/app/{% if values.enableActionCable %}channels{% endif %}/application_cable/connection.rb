module ApplicationCable
  class Connection < ActionCable::Connection::Base
    identified_by :connection_id

    def connect
      # Authenticate here, e.g. verify a token from request.params[:token]
      # and call reject_unauthorized_connection when it is invalid.
      self.connection_id = SecureRandom.uuid
    end
  end
end
