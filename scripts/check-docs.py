#!/usr/bin/env python3
"""Runs the shell blocks of the manual that are marked runnable, so the commands it shows keep working.

A block is runnable when the line just before its opening fence is `<!-- runnable -->`:

    <!-- runnable -->
    ```sh
    securecmd-pki init-ca --ca-dir ca --cn "Fleet Device CA"
    ```

Blocks of one file run in order, in one temporary directory per file (a later block may use what an
earlier one made), with bash -euo pipefail and a PATH on which securecmdd, securecmdctl,
securecmd-client and securecmd-pki run the jars of this build (`mvn package` first). `sudo ` at the start
of a command is dropped: the runner is not the operator's host. Prints one line per block and
"N passed, M failed"; exit status 1 on any failure.
"""
import os, pathlib, re, subprocess, sys, tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
JAVA = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java"
TOOLS = {
    "securecmdd": f'exec "{JAVA}" -jar "{ROOT}/daemon/target/securecmdd.jar" "$@"',
    "securecmdctl": f'exec "{JAVA}" -cp "{ROOT}/daemon/target/securecmdd.jar" org.securecmd.daemon.ctl.Main "$@"',
    "securecmd-client": f'exec "{JAVA}" -jar "{ROOT}/client/target/securecmd-client.jar" "$@"',
    "securecmd-pki": f'exec "{JAVA}" -jar "{ROOT}/pki/target/securecmd-pki.jar" "$@"',
}


def blocks(path):
    """(line number, text) of each runnable block in the file."""
    lines = path.read_text().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(2) in ("sh", "bash", "console", "") and i > 0 and lines[i - 1].strip() == "<!-- runnable -->":
            indent, start, body = len(m.group(1)), i + 1, []
            i += 1
            while i < len(lines) and not FENCE.match(lines[i]):
                body.append(lines[i][indent:])
                i += 1
            yield start, "\n".join(re.sub(r"^sudo ", "", l) for l in body)
        i += 1


def main():
    files = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="securecmd-docs-") as tmp:
        bin_dir = pathlib.Path(tmp, "bin")
        bin_dir.mkdir()
        for name, body in TOOLS.items():
            p = bin_dir / name
            p.write_text("#!/bin/sh\n" + body + "\n")
            p.chmod(0o755)
        env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", REPO=str(ROOT))
        for f in files:
            work = pathlib.Path(tmp, f.stem)
            work.mkdir()
            for line, text in blocks(f):
                r = subprocess.run(["bash", "-euo", "pipefail", "-c", text], cwd=work, env=env,
                                   capture_output=True, text=True, timeout=300)
                where = f"{f.relative_to(ROOT)}:{line}"
                if r.returncode == 0:
                    passed += 1
                    print(f"ok   {where}")
                else:
                    failed += 1
                    print(f"FAIL {where} (exit {r.returncode})\n{text}\n--- output:\n{r.stdout}{r.stderr}")
    print(f"{passed} passed, {failed} failed")
    if passed == 0:
        print("check-docs.py: no runnable block found", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
