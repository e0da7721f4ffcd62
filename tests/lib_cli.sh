# tests/lib_cli.sh - sourced by the command-line test scripts of compare
# and export: a work directory removed at exit, counted failures, and
# expect_rc, which runs a command and checks its exit status (printing
# its output when it is not the one wanted).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# expect_rc WHAT WANT CMD...: stdout in $work/out, stderr in $work/err.
expect_rc() {
	local what=$1 want=$2 rc
	shift 2
	"$@" > "$work/out" 2> "$work/err"; rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what: exit $rc"; else
		fail "$what: exit $rc, want $want"; sed 's/^/  | /' "$work/err" "$work/out" | head -n 30; fi
}
# finish NAME: the summary line and the script's status.
finish() {
	[ $fails -eq 0 ] && echo "$1: all passed" || echo "$1: $fails failed"
	[ $fails -eq 0 ]
}
