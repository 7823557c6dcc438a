# checks.sh: checks of installed zchat programs, shared by the install test
# (tests/install/install_test) and the package test (scripts/test-package).
# Sourced. Plain bash, coreutils, sed and grep only, so they also run in a bare
# Debian chroot. A failed check prints why and exits 1.

passed=0
started_pids=()

ok() {
  passed=$((passed + 1))
  echo "ok: $*"
}
die() {
  echo "FAIL: $*" >&2
  exit 1
}

# For an EXIT trap: ends what the checks started, passed or failed.
stop_started() {
  local pid
  for pid in "${started_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}

# wait_for FILE REGEX: until REGEX appears in FILE, at most 10 s.
wait_for() {
  local i
  for ((i = 0; i < 100; i++)); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# version_check DIR VERSION: each program in DIR says "NAME VERSION (zchat protocol N)".
version_check() {
  local dir=$1 version=$2 program line
  for program in chat-broker chat-cli chat-load; do
    [ -x "$dir/$program" ] || die "$dir/$program is missing"
    line=$("$dir/$program" --version) || die "$program --version failed"
    [[ $line =~ ^$program\ ${version//./\\.}\ \(zchat\ protocol\ [0-9]+\)$ ]] ||
      die "$program --version: $line"
    ok "$line"
  done
}

# man_check DIR VERSION: DIR/man1 has a page per program, from its --help and --version.
man_check() {
  local dir=$1 version=$2 program page
  for program in chat-broker chat-cli chat-load; do
    page=$dir/man1/$program.1.gz
    [ -f "$page" ] || die "no man page $page"
    zcat "$page" | grep -q "^\.TH .*\"$program $version (zchat protocol" ||
      die "$page does not carry the version"
    zcat "$page" | grep -Fq -- '\-\-version' || die "$page lacks the options"
  done
  zcat "$dir/man1/chat-broker.1.gz" | grep -Fq -- '\-\-metrics' || die "chat-broker.1 lacks --metrics"
  ok "man pages in $dir/man1"
}

# start_broker DIR WORK [FLAG...]: chat-broker from DIR on free loopback ports,
# its key and name store under WORK, its stdout in WORK/broker.out; sets
# broker_pid, rendezvous and broker_key (the key a client pastes).
start_broker() {
  local dir=$1 work=$2
  shift 2
  XDG_CONFIG_HOME="$work/broker" XDG_DATA_HOME="$work/broker" \
    "$dir/chat-broker" --rendezvous 'tcp://127.0.0.1:*' --lobby 'tcp://127.0.0.1:*' "$@" \
    >"$work/broker.out" 2>"$work/broker.log" &
  broker_pid=$!
  started_pids+=("$broker_pid")
  wait_for "$work/broker.out" 'clients connect with|--insecure' ||
    die "the broker did not start: $(cat "$work/broker.out" "$work/broker.log")"
  rendezvous=$(sed -n 's/.*rendezvous on \([^,]*\),.*/\1/p' "$work/broker.out")
  broker_key=$(sed -n "s/.*--broker-key '\([^']*\)'.*/\1/p" "$work/broker.out")
}

# chat_cli DIR WORK NAME [FLAG...]: chat-cli from DIR as NAME, with keys of
# its own under WORK/NAME, trusting the broker's key as its line gave it.
chat_cli() {
  local dir=$1 work=$2 name=$3
  shift 3
  XDG_CONFIG_HOME="$work/$name" "$dir/chat-cli" --broker "$rendezvous" --broker-key "$broker_key" \
    --name "$name" "$@"
}

# stop_broker WORK: SIGTERM, which the broker must answer by exiting 0.
stop_broker() {
  local rc=0
  kill -TERM "$broker_pid"
  wait "$broker_pid" || rc=$?
  [ "$rc" = 0 ] || die "the broker exited $rc on SIGTERM: $(cat "$1/broker.log")"
}

# chat_check DIR: with the programs in DIR, a line anna pipes in reaches bobby;
# then SIGTERM stops the broker with exit 0.
chat_check() {
  local dir=$1 work holder bobby
  work=$(mktemp -d)
  start_broker "$dir" "$work"
  mkfifo "$work/bobby.in"
  sleep 60 >"$work/bobby.in" & # bobby's input stays open until he has heard anna
  holder=$!
  chat_cli "$dir" "$work" bobby <"$work/bobby.in" >"$work/bobby.out" 2>&1 &
  bobby=$!
  started_pids+=("$holder" "$bobby")
  wait_for "$work/bobby.out" 'Registered as bobby' || die "bobby did not register: $(cat "$work/bobby.out")"
  echo "hello from anna" | XDG_CONFIG_HOME="$work/anna" timeout 20 "$dir/chat-cli" \
    --broker "$rendezvous" --broker-key "$broker_key" --name anna >"$work/anna.out" 2>&1 || die "anna failed: $(cat "$work/anna.out")"
  wait_for "$work/bobby.out" 'anna: hello from anna' || die "bobby did not hear anna: $(cat "$work/bobby.out")"
  kill "$holder" # end of bobby's input: he quits
  wait "$bobby" || die "bobby exited $?"
  stop_broker "$work"
  ok "one-message chat with $dir/chat-broker and chat-cli, then SIGTERM"
  rm -rf "$work"
}

# metrics_check DIR VERSION: chat-broker --metrics on a free port answers
# GET /metrics with Prometheus text naming VERSION (bash's /dev/tcp: no curl needed).
metrics_check() {
  local dir=$1 version=$2 work port response
  work=$(mktemp -d)
  start_broker "$dir" "$work" --metrics tcp://127.0.0.1:0
  wait_for "$work/broker.out" 'metrics on http' || die "no metrics endpoint: $(cat "$work/broker.out")"
  port=$(sed -n 's#.*metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics#\1#p' "$work/broker.out")
  exec 3<>"/dev/tcp/127.0.0.1/$port" || die "nothing listens on metrics port $port"
  printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  response=$(tr -d '\r' <&3)
  exec 3<&-
  stop_broker "$work"
  grep -q '^HTTP/1.1 200' <<<"$response" || die "GET /metrics: $(head -1 <<<"$response")"
  grep -qi '^Content-Type: text/plain; version=0.0.4' <<<"$response" || die "metrics content type"
  grep -Eqx "zchat_build_info\{version=\"${version//./\\.}\",protocol=\"[0-9]+\"\} 1" <<<"$response" ||
    die "no zchat_build_info for $version in /metrics"
  ok "GET /metrics: 200, Prometheus text, version $version"
  rm -rf "$work"
}
