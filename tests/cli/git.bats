# tests/cli/git.bats: `gilbench fetch` on git sources (gitsrc.c through source.c).
#
# Each test makes a small repository with tests/lib/mkrepo.sh (its ids are printed as
# KEY=VALUE facts and loaded into the shell), writes a config whose source is that
# repository, and checks the commit gilbench resolved and the files of the tree it wrote.
load helpers

setup() {
	common_setup
	eval "$(sh "$ROOT/tests/lib/mkrepo.sh" "$T/repo")"
	mkdir -p "$T/experiments"
	echo 'print("{\"seconds\": 0.0}")' >"$T/experiments/noop.py"
	gitconfig "file://$T/repo" v1 >"$T/git.yaml"
}

gitconfig() { # gitconfig URL REF: a config whose source is git URL at REF
	cat <<EOF
version: 1
name: gittest
source:
  git: {url: "$1", ref: "$2"}
builds:
  - name: gil
    configure: []
experiments:
  - name: noop
    script: experiments/noop.py
    trials: 1
    metric: {name: seconds, better: lower}
EOF
}

teardown() {
	[ -z "${HTTPD:-}" ] || kill "$HTTPD" 2>/dev/null || true
}

# Serve the bare repositories under $1 over http with git's smart protocol (git
# http-backend as a CGI), on a free port of 127.0.0.1; sets $PORT and $HTTPD. The server
# exits by itself after 120 s.
smart_httpd() {
	cat >"$T/httpd.py" <<'PY'
import http.server, os, subprocess, sys, threading
root = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def cgi(self, body=b""):
        path, _, query = self.path.partition("?")
        env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
                   QUERY_STRING=query, REQUEST_METHOD=self.command, REMOTE_ADDR="127.0.0.1",
                   CONTENT_TYPE=self.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(body)),
                   HTTP_CONTENT_ENCODING=self.headers.get("Content-Encoding", ""),
                   GIT_PROTOCOL=self.headers.get("Git-Protocol", ""))
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, data = out.partition(b"\r\n\r\n")
        status, hdrs = 200, []
        for line in head.decode().split("\r\n"):
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.split()[0])
            elif k:
                hdrs.append((k, v.strip()))
        self.send_response(status)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        self.cgi()
    def do_POST(self):
        if self.headers.get("Transfer-Encoding") == "chunked":
            body = b""
            while True:
                n = int(self.rfile.readline().strip(), 16)
                if n == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(n)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.cgi(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Timer(120, os._exit, (0,)).start()
print(s.server_address[1], flush=True)
s.serve_forever()
PY
	python3 "$T/httpd.py" "$1" >"$T/port" &
	HTTPD=$!
	for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
	PORT=$(cat "$T/port")
	[ -n "$PORT" ]
}

field() { # field NAME: the value of "NAME: value" in $output
	printf '%s\n' "$output" | sed -n "s/^$1: //p"
}

@test "git: a config with a file:// url and a tag fetches that commit's files" {
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field kind)" = git ]
	[ "$(field id)" = "$C1" ]
	[ "$(field ref)" = v1 ]
	[ "$(field origin)" = "file://$T/repo" ]
	# progress on stderr: the clone, its objects, the checkout
	[[ "$output" == *"mirroring file://$T/repo into $GILBENCH_CACHE/git/"* ]]
	[[ "$output" == *"fetching file://$T/repo"*" objects, "* ]]
	[[ "$output" == *"checking out ${C1:0:12}"* ]]
	tree=$(field tree)
	[ "$(cat "$tree/README")" = one ]
	[ -f "$tree/a.txt" ]
	[ ! -e "$tree/b.txt" ]
	[ ! -e "$tree/.git" ]
	# one bare mirror in the cache, holding every branch and tag
	[ "$(ls -d "$GILBENCH_CACHE"/git/*.git | wc -l)" -eq 1 ]
	mirror=$(ls -d "$GILBENCH_CACHE"/git/*.git)
	[ "$(git -C "$mirror" rev-parse --is-bare-repository)" = true ]
	[ "$(git -C "$mirror" rev-parse feature)" = "$F" ]
	[ "$(git -C "$mirror" rev-parse v2^{commit})" = "$C2" ]
}

@test "git: --ref overrides the config's ref (branch, annotated tag, full and short id)" {
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref v2
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C2" ]
	[ "$(field ref)" = v2 ]
	[ "$(cat "$(field tree)/README")" = two ]
	[ -f "$(field tree)/b.txt" ]
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref feature
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$F" ]
	[ -f "$(field tree)/feature.txt" ]
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref "$C3"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C3" ]
	[ "$(cat "$(field tree)/README")" = three ]
	short=$(printf %.9s "$C2")
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref "$short"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C2" ]
	[ "$(field ref)" = "$short" ]
}

@test "git: a plain path works as the url" {
	gitconfig "$T/repo" main >"$T/plain.yaml"
	run "$GILBENCH" fetch "$T/plain.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C3" ]
	[ "$(cat "$(field tree)/README")" = three ]
}

@test "git: a new commit on the branch is fetched, the old tree stays" {
	gitconfig "file://$T/repo" main >"$T/main.yaml"
	run "$GILBENCH" fetch "$T/main.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$C3" ]
	old=$(field tree)
	new=$(sh "$ROOT/tests/lib/mkrepo.sh" advance "$T/repo")
	run "$GILBENCH" fetch "$T/main.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$new" ]
	[ "$(field tree)" != "$old" ]
	grep -q advanced "$(field tree)/README"
	! grep -q advanced "$old/README"
	# nothing new: the fetch says so and the tree is reused
	run "$GILBENCH" fetch "$T/main.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$new" ]
	[[ "$output" == *"up to date"* ]]
	[[ "$output" == *reusing* ]]
}

@test "git: an unknown ref and an ambiguous short id are one-line errors" {
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref nope
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown ref 'nope' in file://$T/repo"* ]]
	[ "$(printf '%s\n' "$output" | grep -c "^gilbench: source: unknown ref 'nope' in file://$T/repo\$")" -eq 1 ]
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref "$AMBIG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ambiguous short id '$AMBIG' in file://$T/repo (matches several objects)"* ]]
	run "$GILBENCH" fetch "$T/git.yaml" --work "$T/work" --ref "$BLOB"
	[ "$status" -eq 1 ]
	[[ "$output" == *"names a blob, not a commit"* ]]
	# no tree was made for any of them
	[ -z "$(ls "$T/work/src" 2>/dev/null | grep -v '\.lock$' || true)" ]
}

@test "git: an unreachable url fails clearly and leaves no mirror behind" {
	gitconfig "file://$T/nonexistent.git" main >"$T/bad.yaml"
	run "$GILBENCH" fetch "$T/bad.yaml" --work "$T/work"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot fetch file://$T/nonexistent.git: no such folder"* ]]
	[ -z "$(ls -d "$GILBENCH_CACHE"/git/*.git* 2>/dev/null || true)" ]
}

@test "git: two fetches at once share one mirror" {
	"$GILBENCH" fetch "$T/git.yaml" --work "$T/work" >"$T/a.out" 2>"$T/a.err" &
	a=$!
	"$GILBENCH" fetch "$T/git.yaml" --work "$T/work" >"$T/b.out" 2>"$T/b.err" &
	b=$!
	wait $a
	wait $b
	grep -qx "id: $C1" "$T/a.out"
	grep -qx "id: $C1" "$T/b.out"
	[ "$(ls -d "$GILBENCH_CACHE"/git/*.git | wc -l)" -eq 1 ]
	[ -z "$(ls -d "$GILBENCH_CACHE"/git/*.tmp 2>/dev/null || true)" ]
	# exactly one of them made the mirror
	[ "$(cat "$T/a.err" "$T/b.err" | grep -c 'mirroring ')" -eq 1 ]
}

@test "git: http:// with git's smart protocol: clone, then a fetch with a new commit, a deleted branch and a tag on a blob" {
	unset http_proxy HTTP_PROXY all_proxy ALL_PROXY
	git clone -q --bare "$T/repo" "$T/srv/repo.git"
	git -C "$T/srv/repo.git" tag -m "on a blob" blobtag "$BLOB"
	smart_httpd "$T/srv"
	url=http://127.0.0.1:$PORT/repo.git
	gitconfig "$url" main >"$T/http.yaml"
	run "$GILBENCH" fetch "$T/http.yaml" --work "$T/work" --ref feature
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$F" ]
	[ "$(field origin)" = "$url" ]
	[ -f "$(field tree)/feature.txt" ]
	run "$GILBENCH" fetch "$T/http.yaml" --work "$T/work" --ref blobtag
	[ "$status" -eq 1 ]
	[[ "$output" == *"ref 'blobtag' in $url names a blob, not a commit"* ]]
	# upstream moves: a new commit on main, feature deleted
	new=$(sh "$ROOT/tests/lib/mkrepo.sh" advance "$T/repo")
	git -C "$T/repo" push -q "$T/srv/repo.git" main :feature
	run "$GILBENCH" fetch "$T/http.yaml" --work "$T/work"
	[ "$status" -eq 0 ]
	[ "$(field id)" = "$new" ]
	grep -q advanced "$(field tree)/README"
	run "$GILBENCH" fetch "$T/http.yaml" --work "$T/work" --ref feature
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown ref 'feature' in $url"* ]]
}
