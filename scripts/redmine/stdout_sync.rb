# frozen_string_literal: true

# Loaded into the Redmine server via RUBYOPT by start.sh: unbuffered
# stdout/stderr, so that server.log (RAILS_LOG_TO_STDOUT) is written as the
# requests happen instead of in 8 KiB chunks.
$stdout.sync = true
$stderr.sync = true
