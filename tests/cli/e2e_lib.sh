# Shared by the stella end-to-end scripts (facet_e2e.sh, prov_e2e.sh):
# sourced after CASE and STELLA are set and the script has cd'ed into its
# work directory.

fail() {
  echo "FAIL [$CASE]: $*" >&2
  exit 1
}

# run EXPECTED_EXIT NAME ARGS...: runs stella, keeps NAME.out / NAME.err,
# and checks the exit code (a crash is never an expected code).
run() {
  local expected=$1 name=$2
  shift 2
  local status=0
  "$STELLA" "$@" >"$name.out" 2>"$name.err" || status=$?
  if [ "$status" -ne "$expected" ]; then
    echo "--- stdout" >&2
    cat "$name.out" >&2
    echo "--- stderr" >&2
    cat "$name.err" >&2
    fail "stella $* exited $status, expected $expected"
  fi
}

contains() {  # FILE TEXT
  grep -qF -- "$2" "$1" || {
    cat "$1" >&2
    fail "$1 does not contain '$2'"
  }
}

matches() {  # FILE REGEX
  grep -qE -- "$2" "$1" || {
    cat "$1" >&2
    fail "$1 does not match '$2'"
  }
}

equal() {  # ACTUAL EXPECTED WHAT
  [ "$1" == "$2" ] || fail "$3: got '$1', expected '$2'"
}
