#!/usr/bin/env python3
"""Offline check of meta-securecmd (bitbake and oe-core cannot be installed in CI).

    python3 yocto-layer/check-layer.py [--jar client/target/securecmd-client.jar] [--rsa4096]

Reads layer.conf, the recipes and the class with a small reader for the BitBake
syntax this layer uses, checks the static rules, then plays the build of each
recipe: fetch (FILESPATH lookup) and unpack into a scratch WORKDIR, the
python prefuncs with a stand-in `d`, do_compile and do_install under
`fakeroot sh -e` with OE's default paths. It asserts the exact installed tree
and that server_ca.pem verifies a server certificate made by openssl with the
tutorial's commands. Without --jar it uses client/target/securecmd-client.jar
if built, else a stand-in jar (CI passes the real one). Needs python3,
fakeroot, openssl. Last line: "N passed, M failed"; exit status 1 on failure.
"""
import argparse, hashlib, os, re, shutil, subprocess, sys, tempfile, types, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SERIES = {"scarthgap", "styhead", "walnascar", "whinlatter", "wrynose"}
PORTABLE_S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"
# OE's defaults (bitbake.conf) for the variables the recipes may use.
OE_DEFAULTS = {"prefix": "/usr", "exec_prefix": "/usr", "bindir": "${exec_prefix}/bin",
               "sbindir": "${exec_prefix}/sbin", "libdir": "${exec_prefix}/lib",
               "datadir": "${prefix}/share", "sysconfdir": "/etc", "localstatedir": "/var",
               "D": "${WORKDIR}/image", "B": "${S}", "T": "${WORKDIR}/temp",
               "BP": "${BPN}-${PV}", "P": "${PN}-${PV}", "FILESEXTRAPATHS": "__default:"}
ok_count, fail_count = 0, 0


def check(name, cond, detail=""):
    global ok_count, fail_count
    if cond:
        ok_count += 1
        print("PASS " + name)
    else:
        fail_count += 1
        print("FAIL %s%s" % (name, ": " + str(detail) if detail else ""))
    return cond


class Fatal(Exception):
    """bb.fatal in a stand-in bb module."""


BB = types.SimpleNamespace(fatal=lambda msg: (_ for _ in ()).throw(Fatal(msg)),
                           note=print, warn=print, error=print)


class Meta:
    """What the reader keeps of a recipe and the files it inherits."""

    def __init__(self, defaults):
        self.vars = dict(defaults)
        self.weak, self.flags, self.ops = {}, {}, []   # ops: (file, var, flag, op, value)
        self.shell, self.python, self.defs, self.inherits = {}, {}, {}, []
        self.appends = []

    def get(self, var):
        return self.vars.get(var, self.weak.get(var))

    def d(self):
        """A stand-in for BitBake's datastore `d`, enough for getVar/expand."""
        meta = self
        class D:
            def getVar(self, var, expand=True):
                v = meta.get(var)
                return meta.expand(v) if (v is not None and expand) else v
            def expand(self, s):
                return meta.expand(s)
        return D()

    def expand(self, s, strict=False):
        for _ in range(50):
            def var(m):
                v = self.get(m.group(1))
                if v is None:
                    if strict:
                        raise KeyError("undefined ${%s}" % m.group(1))
                    return m.group(0)
                return v
            new = re.sub(r"\$\{([A-Za-z0-9_:\-]+)\}", var, s)
            new = re.sub(r"\$\{@([^{}]*)\}",
                         lambda m: str(eval(m.group(1), {"d": self.d(), "os": os, "bb": BB})), new)
            if new == s:
                return s
            s = new
        raise ValueError("expansion does not end: " + s)


ASSIGN = re.compile(r'^([A-Za-z0-9_${}:.\-/]+?)(?:\[([\w\-]+)\])?\s*(\?\?=|\?=|:=|\+=|=\+|\.=|=)\s*"(.*)"$', re.S)
FUNC = re.compile(r"^(python\s+)?([\w\-]*)\s*\(\s*\)\s*\{\s*$")


def read(path, meta, layerdir):
    """Adds one .bb/.bbclass/.conf file to meta, in BitBake's order."""
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = FUNC.match(line)
        if m:
            body = []
            while lines[i] != "}":
                body.append(lines[i])
                i += 1
            i += 1
            (meta.python if m.group(1) else meta.shell)[m.group(2)] = "\n".join(body)
            continue
        if line.startswith("def "):
            body = [line]
            while i < len(lines) and (lines[i].startswith((" ", "\t")) or lines[i] == ""):
                body.append(lines[i])
                i += 1
            meta.defs[re.match(r"def (\w+)", line).group(1)] = "\n".join(body)
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\"):
            line = line[:-1] + lines[i]
            i += 1
        if line.startswith("inherit "):
            for cls in line.split()[1:]:
                meta.inherits.append(cls)
                cpath = os.path.join(layerdir, "classes", cls + ".bbclass")
                if os.path.exists(cpath):
                    read(cpath, meta, layerdir)
            continue
        m = ASSIGN.match(line.strip())
        if not m:
            raise SyntaxError("%s: cannot read: %s" % (path, line))
        var, flag, op, value = m.groups()
        meta.ops.append((path, var, flag, op, value))
        if op == ":=":
            value = meta.expand(value)
        if flag:
            old = meta.flags.get((var, flag), "")
            meta.flags[(var, flag)] = (old + " " + value).strip() if op == "+=" else value
        elif var.endswith((":append", ":prepend")):
            meta.appends.append((var.rsplit(":", 1), value))
        elif op == "??=":
            meta.weak[var] = value
        elif op == "?=":
            meta.vars.setdefault(var, value)
        elif op == "+=":
            meta.vars[var] = (meta.vars.get(var, "") + " " + value).strip()
        elif op == ".=":
            meta.vars[var] = meta.vars.get(var, "") + value
        else:
            meta.vars[var] = value


def finish(meta):
    """Applies :append/:prepend last, as BitBake does at finalisation."""
    for (var, kind), value in meta.appends:
        old = meta.get(var) or ""
        meta.vars[var] = old + value if kind == "append" else value + old


def load_recipe(bb_path, layerdir, conf_vars, overrides):
    pn, pv = os.path.basename(bb_path)[:-3].split("_")
    meta = Meta(dict(OE_DEFAULTS, **conf_vars))
    meta.vars.update(PN=pn, BPN=pn, PV=pv, FILE=bb_path, THISDIR=os.path.dirname(bb_path),
                     FILE_DIRNAME=os.path.dirname(bb_path))
    read(bb_path, meta, layerdir)
    finish(meta)
    meta.vars.update(overrides)
    return meta


def src_files(meta):
    """[(name, params, path found in FILESPATH or None)] for each file:// entry."""
    extra = [p for p in meta.expand(meta.get("FILESEXTRAPATHS")).split(":") if p and p != "__default"]
    here = meta.get("THISDIR")
    dirs = extra + [os.path.join(here, meta.expand(x)) for x in ("${BP}", "${BPN}", "files")]
    out = []
    for entry in meta.expand(meta.get("SRC_URI") or "").split():
        url, *params = entry.split(";")
        name = url[len("file://"):]
        found = next((os.path.join(x, name) for x in dirs if os.path.isfile(os.path.join(x, name))), None)
        out.append((name, dict(p.split("=", 1) for p in params), found))
    return out


def shell_script(meta, task):
    """The script BitBake would run for a shell task: functions, then the task."""
    funcs = [name for name in meta.shell if not name.startswith("do_")] + [task]
    parts = ["umask 022", 'bbfatal() { echo "ERROR: $*" >&2; exit 1; }']
    for name in funcs:
        parts.append("%s() {\n%s\n}" % (name, meta.expand(meta.shell[name], strict=True)))
    parts.append('mkdir -p "%s"; cd "%s"' % ((meta.expand("${B}"),) * 2))
    parts.append(task)
    return "\n".join(parts) + "\n"


def run_task(meta, task, listing=False):
    """Runs a task like BitBake: python prefuncs (may raise Fatal), then the shell body."""
    for pre in (meta.flags.get((task, "prefuncs")) or "").split():
        ns = {"bb": BB, "os": os}
        for src in meta.defs.values():
            exec(src, ns)
        exec("def %s(d):\n%s\n" % (pre, meta.python[pre]), ns)
        ns[pre](meta.d())
    if meta.flags.get((task, "noexec")) == "1" or task not in meta.shell:
        return None
    script = shell_script(meta, task)
    if listing:
        script += 'cd "%s" && find . -mindepth 1 -printf "%%P %%y %%m %%u:%%g\\n" | sort\n' % meta.expand("${D}")
    return subprocess.run(["fakeroot", "sh", "-e", "-c", script], capture_output=True, text=True)


def make_pki(tmp, bits):
    """The tutorial's openssl commands: CA, P-256 server key, CSR, SAN IP:127.0.0.1."""
    def ossl(*args):
        subprocess.run(["openssl", *args], cwd=tmp, check=True, capture_output=True)
    ossl("genrsa", "-out", "ca.key", str(bits))
    ossl("req", "-x509", "-new", "-nodes", "-key", "ca.key", "-sha256", "-days", "3650",
         "-out", "ca.crt", "-subj", "/CN=My Test CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "server.key")
    ossl("req", "-new", "-key", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(tmp, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
         "-out", "server.crt", "-days", "365", "-sha256", "-extfile", "server.ext")
    return {n: os.path.join(tmp, n) for n in ("ca.crt", "ca.key", "server.crt", "server.key")}


def stand_in_jar(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: org.securecmd.client.cli.Main\n")
    return path


# ---------------------------------------------------------------- static rules

def check_layer_conf(layerdir):
    conf = Meta({"LAYERDIR": layerdir})
    read(os.path.join(layerdir, "conf", "layer.conf"), conf, layerdir)
    g = conf.get
    check("layer.conf: BBFILE_COLLECTIONS has securecmd", "securecmd" in (g("BBFILE_COLLECTIONS") or "").split())
    check("layer.conf: BBFILE_PATTERN_securecmd", g("BBFILE_PATTERN_securecmd") == "^${LAYERDIR}/",
          g("BBFILE_PATTERN_securecmd"))
    for var in ("BBFILE_PRIORITY_securecmd", "LAYERVERSION_securecmd"):
        check("layer.conf: %s is a number" % var, (g(var) or "").isdigit(), g(var))
    check("layer.conf: LAYERDEPENDS_securecmd = core", g("LAYERDEPENDS_securecmd") == "core")
    compat = set((g("LAYERSERIES_COMPAT_securecmd") or "").split())
    check("layer.conf: LAYERSERIES_COMPAT covers scarthgap..wrynose", compat == SERIES, sorted(compat))
    bbfiles = conf.expand(g("BBFILES") or "").split()
    check("layer.conf: BBFILES matches recipes-*/*/*.bb",
          os.path.join(layerdir, "recipes-*/*/*.bb") in bbfiles, bbfiles)
    for name in ("README", "COPYING.MIT"):
        check("layer has %s" % name, os.path.isfile(os.path.join(layerdir, name)))
    return {"SECURECMD_LAYERDIR": g("SECURECMD_LAYERDIR")}


def code_lines(path):
    """A file's lines without comments, for rules about code."""
    return [l for l in open(path).read().split("\n") if not l.lstrip().startswith("#")]


def check_layer_files(layerdir):
    key, cert = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), re.compile(r"-----BEGIN CERTIFICATE-----\s*\n[A-Za-z0-9+/]")
    keys, certs = [], []
    for root, _, names in os.walk(layerdir):
        for n in names:
            data = open(os.path.join(root, n), "rb").read().decode("latin-1")
            if key.search(data):
                keys.append(n)
            if cert.search(data):
                certs.append(n)
    check("no file in the layer holds a private key", not keys, keys)
    check("no file in the layer holds a certificate (no default CA)", not certs, certs)
    sources = [os.path.join(r, n) for r, _, ns in os.walk(layerdir) for n in ns if n.endswith((".bb", ".bbclass", ".inc", ".bbappend"))]
    assigns = [(os.path.basename(p), l) for p in sources for l in code_lines(p)
               if re.match(r"\s*SECURECMD_SERVER_CA\b[^=]*=", l) and l.strip() != 'SECURECMD_SERVER_CA ??= ""']
    check('SECURECMD_SERVER_CA is only ever ??= "" in the layer', not assigns, assigns)
    hard = [(os.path.basename(p), l.strip()) for p in sources for l in code_lines(p)
            if re.search(r"(?<![\w.])/(etc|usr|var|bin|sbin|lib)\b", l)]
    check("no hard-coded /etc, /usr/... in recipes and classes", not hard, hard)
    if shutil.which("git") and os.path.exists(os.path.join(REPO, ".git")):
        jar = "yocto-layer/meta-securecmd/recipes-securecmd/securecmd-client/files/securecmd-client.jar"
        r = subprocess.run(["git", "-C", REPO, "check-ignore", "-q", jar])
        check("git ignores the copied client jar", r.returncode == 0)


def check_recipe_static(meta, name, text):
    g = meta.get
    for var in ("SUMMARY", "DESCRIPTION", "HOMEPAGE", "LICENSE", "LIC_FILES_CHKSUM", "SRC_URI"):
        check("%s: has %s" % (name, var), bool((g(var) or "").strip()))
    check("%s: LICENSE = MIT" % name, g("LICENSE") == "MIT", g("LICENSE"))
    for fname, params, found in src_files(meta):
        check("%s: SRC_URI file://%s exists" % (name, fname), found, "not in FILESPATH")
        if fname.endswith(".jar"):
            check("%s: %s has ;unpack=0" % (name, fname), params.get("unpack") == "0", params)
    check("%s: S is the portable UNPACKDIR/WORKDIR expression" % name, g("S") == PORTABLE_S, g("S"))
    check("%s: no S = \"${WORKDIR}\"" % name, not re.search(r'^\s*S\s*=\s*"\$\{WORKDIR\}"', text, re.M))
    for unpackdir, want in (("/w/sources", "/w/sources"), (None, "/w")):
        probe = Meta({"WORKDIR": "/w", **({"UNPACKDIR": unpackdir} if unpackdir else {})})
        probe.vars["S"] = PORTABLE_S
        check("%s: S = %s when UNPACKDIR is %s" % (name, want, unpackdir), probe.expand("${S}") == want)
    check("%s: inherits allarch and securecmd-ca" % name, {"allarch", "securecmd-ca"} <= set(meta.inherits))
    check("%s: do_install runs securecmd_check_ca first" % name,
          "securecmd_check_ca" in (meta.flags.get(("do_install", "prefuncs")) or "").split())
    body = meta.shell.get("do_install", "") + "\n" + meta.shell.get("securecmd_install_ca", "")
    cmds = [l.strip() for l in body.split("\n") if l.strip() and not l.strip().startswith("#")]
    bad = [c for c in cmds if not (re.match(r"install -(d|m [0-7]{4}) ", c) or c in meta.shell)]
    check("%s: do_install uses only install -d / install -m" % name, not bad, bad)
    check("%s: no cp or mkdir in do_install" % name, not re.search(r"\b(cp|mkdir)\b", body))
    for ca, want in (("/x/ca.crt", "/x/ca.crt:True"), ("", "")):
        meta.vars["SECURECMD_SERVER_CA"] = ca
        got = meta.expand(meta.flags.get(("do_install", "file-checksums"), "")).strip()
        check("%s: do_install[file-checksums] = %r for CA %r" % (name, want, ca), got == want, got)


def check_client_static(meta, name):
    check("%s: SECURECMD_JAVA_RUNTIME ?= \"\"" % name,
          any(v == "SECURECMD_JAVA_RUNTIME" and op == "?=" and val == "" for _, v, f, op, val in meta.ops))
    check("%s: RDEPENDS:${PN} from SECURECMD_JAVA_RUNTIME" % name,
          "${SECURECMD_JAVA_RUNTIME}" in (meta.get("RDEPENDS:${PN}") or ""))
    check("%s: FILES:${PN} packages ${datadir}/securecmd" % name,
          "${datadir}/securecmd" in (meta.get("FILES:${PN}") or "").split())


# ------------------------------------------------------------------- behaviour

CLIENT_TREE = {"etc d 755", "etc/securecmd d 755", "etc/securecmd/server_ca.pem f 644",
               "usr d 755", "usr/bin d 755", "usr/bin/securecmd-client f 755",
               "usr/share d 755", "usr/share/securecmd d 755",
               "usr/share/securecmd/securecmd-client.jar f 644"}
CA_TREE = {"etc d 755", "etc/securecmd d 755", "etc/securecmd/server_ca.pem f 644"}


def build(bb_path, layerdir, conf_vars, work, ca):
    """Fetch, unpack, compile and install one recipe in a fresh WORKDIR; returns (meta, listing)."""
    shutil.rmtree(work, ignore_errors=True)
    meta = load_recipe(bb_path, layerdir, conf_vars,
                       {"WORKDIR": work, "UNPACKDIR": "${WORKDIR}/sources", "SECURECMD_SERVER_CA": ca})
    unpack = meta.expand("${UNPACKDIR}")
    os.makedirs(unpack)
    for fname, _, found in src_files(meta):
        if not found:
            raise RuntimeError("do_fetch: file://%s not found" % fname)
        shutil.copy2(found, os.path.join(unpack, fname))   # file:// with or without unpack=0
    for task in ("do_compile",):
        r = run_task(meta, task)
        if r and r.returncode:
            raise RuntimeError("%s failed: %s" % (task, r.stderr))
    r = run_task(meta, "do_install", listing=True)
    if r.returncode:
        raise RuntimeError("do_install failed: " + r.stderr)
    return meta, r.stdout


def check_build(name, bb_path, layerdir, conf_vars, tmp, pki, jar):
    work = os.path.join(tmp, "work-" + name)
    try:
        meta, listing = build(bb_path, layerdir, conf_vars, work, pki["ca.crt"])
    except (Fatal, RuntimeError, KeyError) as e:
        return check("%s: builds with SECURECMD_SERVER_CA = ca.crt" % name, False, e)
    check("%s: builds with SECURECMD_SERVER_CA = ca.crt" % name, True)
    s = meta.expand("${S}")
    for entry in meta.get("LIC_FILES_CHKSUM").split():
        path, *params = entry[len("file://"):].split(";")
        want = dict(p.split("=", 1) for p in params).get("md5")
        full = os.path.join(s, meta.expand(path))
        got = hashlib.md5(open(full, "rb").read()).hexdigest() if os.path.isfile(full) else "missing " + full
        check("%s: LIC_FILES_CHKSUM md5 of %s" % (name, path), got == want, "%s != %s" % (got, want))
    tree = {l.rsplit(" ", 1)[0] for l in listing.split("\n") if l}
    owners = {l.rsplit(" ", 1)[1] for l in listing.split("\n") if l}
    want = CLIENT_TREE if name == "securecmd-client" else CA_TREE
    check("%s: installs exactly the expected files and modes" % name, tree == want,
          "extra %s, missing %s" % (sorted(tree - want), sorted(want - tree)))
    check("%s: everything owned by root:root (fakeroot)" % name, owners == {"root:root"}, owners)
    d = meta.expand("${D}")
    installed_ca = os.path.join(d, "etc/securecmd/server_ca.pem")
    check("%s: server_ca.pem is byte-identical to SECURECMD_SERVER_CA" % name,
          open(installed_ca, "rb").read() == open(pki["ca.crt"], "rb").read())
    r = subprocess.run(["openssl", "verify", "-CAfile", installed_ca, pki["server.crt"]], capture_output=True, text=True)
    check("%s: installed server_ca.pem verifies the server certificate" % name, r.returncode == 0, r.stdout + r.stderr)
    if name == "securecmd-client":
        check_launcher(os.path.join(d, "usr/bin/securecmd-client"), tmp)
        check("securecmd-client: installed jar is the given jar",
              open(os.path.join(d, "usr/share/securecmd/securecmd-client.jar"), "rb").read() == open(jar, "rb").read())


def check_launcher(launcher, tmp):
    r = subprocess.run(["sh", "-n", launcher], capture_output=True, text=True)
    check("launcher passes sh -n", r.returncode == 0, r.stderr)
    check("launcher has no @PLACEHOLDER@ left", not re.search(r"@[A-Z_]+@", open(launcher).read()))
    on_path, home = (os.path.join(tmp, x, "bin") for x in ("path-jdk", "home-jdk"))
    for bindir in (on_path, home):   # stand-in java that says which one ran and with what
        os.makedirs(bindir, exist_ok=True)
        with open(os.path.join(bindir, "java"), "w") as f:
            f.write('#!/bin/sh\necho "$0 $*"\n')
        os.chmod(os.path.join(bindir, "java"), 0o755)
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty, exist_ok=True)
    args = [launcher, "127.0.0.1", "GET_SECRET"]
    jar = "-jar /usr/share/securecmd/securecmd-client.jar 127.0.0.1 GET_SECRET"
    r = subprocess.run(args, capture_output=True, text=True, env={"PATH": on_path})
    check("launcher runs java from PATH with the installed jar path",
          r.stdout.strip() == os.path.join(on_path, "java") + " " + jar, r.stdout + r.stderr)
    r = subprocess.run(args, capture_output=True, text=True, env={"PATH": on_path, "JAVA_HOME": os.path.dirname(home)})
    check("launcher prefers $JAVA_HOME/bin/java", r.stdout.strip() == os.path.join(home, "java") + " " + jar, r.stdout + r.stderr)
    r = subprocess.run(args, capture_output=True, text=True, env={"PATH": empty})
    check("launcher without Java exits 127 and says so", r.returncode == 127 and "no Java runtime" in r.stderr,
          (r.returncode, r.stderr))


def check_ca_errors(bb_path, layerdir, conf_vars, tmp, pki):
    """The recipe's own check (do_install[prefuncs]) must stop bad CAs with a clear message."""
    both = os.path.join(tmp, "ca-and-key.pem")
    with open(both, "w") as f:
        f.write(open(pki["ca.crt"]).read() + open(pki["ca.key"]).read())
    not_pem = os.path.join(tmp, "not-pem.txt")
    with open(not_pem, "w") as f:
        f.write("hello\n")
    cases = [("", "SECURECMD_SERVER_CA is not set"),
             (os.path.join(tmp, "missing.crt"), "cannot read"),
             ("ca.crt", "must be an absolute path"),
             (pki["ca.key"], "private key"), (both, "private key"),
             (not_pem, "not a PEM certificate"),
             (pki["server.crt"], "not a CA certificate")]
    name = os.path.basename(bb_path).split("_")[0]
    for ca, want in cases:
        work = os.path.join(tmp, "work-bad")
        try:
            build(bb_path, layerdir, conf_vars, work, ca)
            got = "no error"
        except (Fatal, RuntimeError) as e:
            got = str(e)
        installed = os.path.exists(os.path.join(work, "image", "etc/securecmd/server_ca.pem"))
        check("%s: SECURECMD_SERVER_CA = %r stops the build with %r" % (name, os.path.basename(ca), want),
              want in got and not installed, got)


# ------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jar", help="client jar to package (default: client/target/securecmd-client.jar, else a stand-in)")
    ap.add_argument("--rsa4096", action="store_true", help="make the test CA with RSA-4096 as the tutorial does (slower)")
    args = ap.parse_args()
    for tool in ("fakeroot", "openssl"):
        if not shutil.which(tool):
            sys.exit("check-layer.py: %s is needed (apt-get install -y fakeroot openssl)" % tool)
    with tempfile.TemporaryDirectory(prefix="check-layer-") as tmp:
        pki = make_pki(tmp, 4096 if args.rsa4096 else 2048)
        jar = args.jar or os.path.join(REPO, "client/target/securecmd-client.jar")
        if not args.jar and not os.path.isfile(jar):
            print("note: %s not built; using a stand-in jar (CI passes --jar)" % jar)
            jar = stand_in_jar(os.path.join(tmp, "stand-in.jar"))
        # Work on a copy so the check never writes into the worktree.
        copy = os.path.join(tmp, "yocto-layer")
        shutil.copytree(os.path.join(HERE, "meta-securecmd"), os.path.join(copy, "meta-securecmd"),
                        ignore=shutil.ignore_patterns("*.jar"))
        shutil.copy2(os.path.join(HERE, "update-client-jar.sh"), copy)
        helper = os.path.join(copy, "update-client-jar.sh")
        r = subprocess.run([helper, pki["ca.crt"]], capture_output=True, text=True)
        check("update-client-jar.sh refuses a file that is not a jar", r.returncode == 1, r.stderr)
        r = subprocess.run([helper, jar], capture_output=True, text=True)
        check("update-client-jar.sh copies the jar into the layer", r.returncode == 0, r.stderr)
        layerdir = os.path.join(copy, "meta-securecmd")
        conf_vars = check_layer_conf(layerdir)
        check_layer_files(os.path.join(HERE, "meta-securecmd"))
        recipes = sorted(os.path.join(r, n) for r, _, ns in os.walk(layerdir) for n in ns if n.endswith(".bb"))
        names = [os.path.basename(p).split("_")[0] for p in recipes]
        check("layer has the securecmd-client and securecmd-ca recipes", names == ["securecmd-ca", "securecmd-client"], names)
        for bb_path, name in zip(recipes, names):
            meta = load_recipe(bb_path, layerdir, conf_vars, {})
            check_recipe_static(meta, name, open(bb_path).read())
            if name == "securecmd-client":
                check_client_static(meta, name)
            check_build(name, bb_path, layerdir, conf_vars, tmp, pki, jar)
            check_ca_errors(bb_path, layerdir, conf_vars, tmp, pki)
    print("%d passed, %d failed" % (ok_count, fail_count))
    sys.exit(1 if fail_count else 0)


if __name__ == "__main__":
    main()
