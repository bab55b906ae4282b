# A Prism webhook receiver in Sinatra: verifies each delivery over its raw
# bytes, answers at once, and downloads video_url on background threads,
# once per event, with backoff.
#
# Environment: PORT (default 3000), PRISM_WEBHOOK_SECRET (required).
require 'json'
require 'net/http'
require 'openssl'
require 'set'
require 'sinatra/base'
require 'webrick'

SECRET = ENV.fetch('PRISM_WEBHOOK_SECRET') { abort 'PRISM_WEBHOOK_SECRET is not set' }
MAX_BODY = 1 << 20
MAX_ATTEMPTS = 8
WORKERS = 8

# Background work runs on these threads, not in the request: the answer
# goes out first.
JOBS = Queue.new
# event + data.id of the events taken on; a real service keeps these in its
# database. The mutex makes "not seen yet, so mine" one step.
SEEN = Set.new
SEEN_LOCK = Mutex.new

class Receiver < Sinatra::Base
  set :environment, :production
  set :server, 'webrick'
  set :bind, '127.0.0.1'
  set :port, Integer(ENV.fetch('PORT', '3000'))
  set :server_settings, AccessLog: [], Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN)

  post '/webhooks/prism' do
    halt 413 if request.content_length.to_i > MAX_BODY
    body = request.body.read(MAX_BODY + 1) || '' # the raw bytes: the signature covers them
    halt 413 if body.bytesize > MAX_BODY
    halt 401, "invalid signature\n" unless valid_signature?(body, request.env['HTTP_X_PRISM_SIGNATURE'])

    event = begin
      JSON.parse(body)
    rescue JSON::ParserError
      halt 400, "body is not JSON\n"
    end
    unless event.is_a?(Hash) && event['event'].is_a?(String) && event['data'].is_a?(Hash) && event['data']['id'].is_a?(String)
      halt 400, "not a Prism event\n"
    end
    halt 204 unless %w[video.completed video.failed].include?(event['event']) # acknowledge and ignore

    key = "#{event['event']}:#{event['data']['id']}"
    halt 204 unless SEEN_LOCK.synchronize { SEEN.add?(key) } # a redelivery: already taken on
    JOBS << [key, event]
    status 202
  end

  helpers do
    def valid_signature?(body, signature)
      return false unless signature.is_a?(String) && signature.match?(/\A\h{64}\z/)

      OpenSSL.secure_compare(OpenSSL::HMAC.hexdigest('SHA256', SECRET, body), signature.downcase)
    end
  end
end

def process_event(key, event)
  if event['event'] == 'video.failed'
    warn "generation #{event['data']['id']} failed: #{event['data']['error']}"
    return
  end
  download(event['data']['video_url'])
rescue StandardError => e
  SEEN_LOCK.synchronize { SEEN.delete(key) } # let a later delivery try again
  warn "#{key}: #{e.message}"
end

# Fetches url, retrying 5xx, 429 and network errors with exponential
# backoff: each wait is at least the server's Retry-After and half as long
# again as the wait before.
def download(url)
  uri = URI(url)
  raise ArgumentError, "video_url #{url.inspect} is not an http(s) URL" unless uri.is_a?(URI::HTTP)

  wait = 0.5
  (1..MAX_ATTEMPTS).each do |attempt|
    retry_after = 0.0
    begin
      res = Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == 'https',
                                                open_timeout: 10, read_timeout: 30) do |http|
        http.get(uri.request_uri) # store res.body; this example only reads it
      end
      return if res.is_a?(Net::HTTPSuccess)

      code = res.code.to_i
      raise "GET #{url}: #{res.code}" if (code < 500 && code != 429) || attempt == MAX_ATTEMPTS

      retry_after = Float(res['Retry-After'], exception: false).to_f.clamp(0.0, 30.0)
    rescue SystemCallError, IOError, SocketError, Timeout::Error, OpenSSL::SSL::SSLError
      raise if attempt == MAX_ATTEMPTS
    end
    wait = [wait, retry_after].max
    sleep wait
    wait *= 1.5
  end
end

WORKERS.times do
  Thread.new do
    loop { process_event(*JOBS.pop) }
  end
end

Receiver.run! if $PROGRAM_NAME == __FILE__
