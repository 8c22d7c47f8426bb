#!/usr/bin/env python3
"""Offline check of meta-securecmd (bitbake and oe-core cannot be installed in CI).

    python3 yocto-layer/check-layer.py [--jar client/target/securecmd-client.jar]

Reads layer.conf, the recipes, bbappends and the class with a small reader for
the BitBake syntax this layer uses, checks the static rules, then plays the
build of each recipe: the anonymous python (a recipe may skip itself), fetch
(FILESPATH lookup) and unpack into a scratch WORKDIR, the python prefuncs and
tasks with a stand-in `d`, do_compile and do_install under `fakeroot sh -e`
with OE's default paths. It asserts the exact installed tree, that
server_ca.pem verifies a server certificate made by openssl with the
tutorial's commands, that the renewal units pass `systemd-analyze verify`,
what update-client-jar.sh writes, a run with the jar absent (the client recipe
skips itself, nothing else fails), the Java 17+ runtime rule, the TPM packagegroup (skips
itself without meta-tpm, brings meta-tpm's packages through dynamic-layers/meta-tpm), what oe-core's
yocto-check-layer asks of README and SECURITY.md, and that the project has one
license (LICENSE, poms, Debian copyright, recipes). Without --jar it uses
client/target/securecmd-client.jar if built, else a stand-in jar (CI passes
the real one). Needs python3, fakeroot, openssl, systemd-analyze.
Last line: "N passed, M failed"; exit status 1 on failure.
"""
import argparse, fnmatch, glob, hashlib, os, re, shutil, subprocess, sys, tempfile, types, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SERIES = {"scarthgap", "styhead", "walnascar", "whinlatter", "wrynose"}
PORTABLE_S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"
# md5 of oe-core's meta/files/common-licenses/Apache-2.0 (scarthgap .. wrynose) and of the
# canonical text (apache.org LICENSE-2.0.txt, Debian's /usr/share/common-licenses/Apache-2.0).
OE_APACHE_MD5 = "89aea4e17d99a7cacdbeed46a0096b10"
APACHE_TEXT_MD5 = "3b83ef96387f14655fc854ddc3c6bd57"
LIC_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=" + OE_APACHE_MD5
CLIENT_DIR = "recipes-securecmd/securecmd-client"
TPM_GROUP = "packagegroup-securecmd-tpm"
# meta-security's meta-tpm: its BBFILE_COLLECTIONS name (BBFILES_DYNAMIC keys on it, not on the
# directory name) and the names of the packages the enroll path needs, as meta-tpm's recipes
# (scarthgap, wrynose) and oe-core's python3 manifest split them: tpm2-pkcs11_1.9.*.bb makes
# tpm2-pkcs11 and tpm2-pkcs11-tools (PACKAGES =+ "${PN}-tools": tpm2_ptool), tpm2-tools_5.7.bb
# tpm2-tools, tpm2-tss_4.*.bb libtss2-tcti-device, python3-tpm2-pytss_*.bb python3-tpm2-pytss;
# python3-sqlite3 and python3-fcntl are oe-core's python3 packages.
TPM_COLLECTION = "tpm-layer"
TPM_PACKAGES = ["tpm2-pkcs11", "tpm2-pkcs11-tools", "python3-tpm2-pytss", "python3-sqlite3", "python3-fcntl",
                "tpm2-tools", "libtss2-tcti-device"]
# OE's defaults (bitbake.conf) for the variables the recipes may use.
OE_DEFAULTS = {"prefix": "/usr", "exec_prefix": "/usr", "bindir": "${exec_prefix}/bin",
               "sbindir": "${exec_prefix}/sbin", "libdir": "${exec_prefix}/lib",
               "datadir": "${prefix}/share", "sysconfdir": "/etc", "localstatedir": "/var",
               "D": "${WORKDIR}/image", "B": "${S}", "T": "${WORKDIR}/temp",
               "BP": "${BPN}-${PV}", "P": "${PN}-${PV}", "FILESEXTRAPATHS": "__default:",
               "PV": "1.0", "base_prefix": "", "nonarch_base_libdir": "${base_prefix}/lib",
               "systemd_unitdir": "${nonarch_base_libdir}/systemd",
               "systemd_system_unitdir": "${nonarch_base_libdir}/systemd/system",
               "COMMON_LICENSE_DIR": "/oe-core/meta/files/common-licenses", "DISTRO_FEATURES": "systemd"}
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


class SkipRecipe(Exception):
    """bb.parse.SkipRecipe: the recipe is skipped at parse time, with this reason."""


def _contains(var, items, true, false, d):
    have = set((d.getVar(var) or "").split())
    return true if set(items.split()) <= have else false


def _which(path, item):
    return next((os.path.join(p, item) for p in path.split(":") if p and os.path.exists(os.path.join(p, item))), "")


BB = types.SimpleNamespace(fatal=lambda msg: (_ for _ in ()).throw(Fatal(msg)),
                           note=print, warn=print, error=print,
                           parse=types.SimpleNamespace(SkipRecipe=SkipRecipe),
                           utils=types.SimpleNamespace(contains=_contains, which=_which))


class Meta:
    """What the reader keeps of a recipe and the files it inherits."""

    def __init__(self, defaults):
        self.vars = dict(defaults)
        self.weak, self.flags, self.ops = {}, {}, []   # ops: (file, var, flag, op, value)
        self.shell, self.python, self.defs, self.inherits = {}, {}, {}, []
        self.appends, self.includes, self.tasks = [], [], {}   # includes: (kind, name, found path)

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
                cpath = os.path.join(layerdir, "classes-recipe", cls + ".bbclass")
                if os.path.exists(cpath):
                    read(cpath, meta, layerdir)
            continue
        if line.startswith(("include ", "require ")):
            kind, name = line.split(None, 1)
            name = meta.expand(name.strip())
            found = next((c for c in (os.path.join(os.path.dirname(path), name), os.path.join(layerdir, name))
                          if os.path.isfile(c)), None)
            meta.includes.append((kind, name, found))
            if found:
                read(found, meta, layerdir)
            elif kind == "require":
                raise SyntaxError("%s: require %s: not found" % (path, name))
            continue
        if line.startswith("addtask "):
            words = line.split()
            meta.tasks["do_" + words[1].replace("do_", "", 1)] = words[2:]
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


def recipe_name(bb_path):
    return os.path.basename(bb_path)[:-3].split("_")[0]


def load_recipe(bb_path, layerdir, conf_vars, overrides=None, conf=None, appends=()):
    """Parses a recipe as BitBake does: conf (local.conf) first, the recipe, its bbappends, then
    overrides (values forced afterwards, like a test's WORKDIR)."""
    pn, _, pv = os.path.basename(bb_path)[:-3].partition("_")
    meta = Meta(dict(OE_DEFAULTS, **conf_vars, **(conf or {})))
    meta.vars.update(PN=pn, BPN=pn, FILE=bb_path, THISDIR=os.path.dirname(bb_path),
                     FILE_DIRNAME=os.path.dirname(bb_path), **({"PV": pv} if pv else {}))
    read(bb_path, meta, layerdir)
    for bbappend in appends:
        read(bbappend, meta, layerdir)
    finish(meta)
    meta.vars.update(overrides or {})
    meta.vars["FILESPATH"] = ":".join(filespath(meta))
    return meta


def filespath(meta):
    extra = [p for p in meta.expand(meta.get("FILESEXTRAPATHS")).split(":") if p and p != "__default"]
    here = meta.get("THISDIR")
    return extra + [os.path.join(here, meta.expand(x)) for x in ("${BP}", "${BPN}", "files")]


def run_python(meta, name):
    """Runs one python function of the recipe (an anonymous one, a prefunc or a python task)."""
    ns = {"bb": BB, "os": os}
    for src in meta.defs.values():
        exec(src, ns)
    exec("def %s(d):\n%s\n" % (name, meta.python[name]), ns)
    ns[name](meta.d())


def parse_outcome(meta):
    """None if the recipe parses, else the reason it skips itself (its anonymous python)."""
    try:
        if "__anonymous" in meta.python:
            run_python(meta, "__anonymous")
    except SkipRecipe as e:
        return str(e)
    except Exception as e:   # the real bitbake fails the whole parse here
        return "parse error: %r" % e
    return None


def src_files(meta):
    """[(name, params, path found in FILESPATH or None)] for each file:// entry."""
    dirs = filespath(meta)
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
        run_python(meta, pre)
    if meta.flags.get((task, "noexec")) == "1" or task not in meta.shell:
        return None
    script = shell_script(meta, task)
    if listing:
        script += 'cd "%s" && find . -mindepth 1 -printf "%%P %%y %%m %%u:%%g\\n" | sort\n' % meta.expand("${D}")
    return subprocess.run(["fakeroot", "sh", "-e", "-c", script], capture_output=True, text=True)


def make_pki(tmp):
    """The tutorial's openssl commands, from the repository's one copy of them (scripts/tutorial-pki.sh)."""
    subprocess.run([os.path.join(REPO, "scripts/tutorial-pki.sh"), tmp], check=True, capture_output=True)
    return {n: os.path.join(tmp, n) for n in ("ca.crt", "ca.key", "server.crt", "server.key")}


def stand_in_jar(path, version="0.1.0"):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: org.securecmd.client.cli.Main\n"
                   + ("Implementation-Version: %s\n" % version if version else ""))
    return path


def jar_version(jar):
    with zipfile.ZipFile(jar) as z:
        m = re.search(r"^Implementation-Version: *(\S+)", z.read("META-INF/MANIFEST.MF").decode(), re.M)
    return m.group(1) if m else None


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
    check("layer.conf: LAYERDEPENDS_securecmd = core (a Java layer is optional)", g("LAYERDEPENDS_securecmd") == "core")
    check("layer.conf: no LAYERRECOMMENDS/LAYERDEPENDS on a Java layer",
          not re.search(r"java|jdk", (g("LAYERRECOMMENDS_securecmd") or "") + (g("LAYERDEPENDS_securecmd") or "")))
    compat = set((g("LAYERSERIES_COMPAT_securecmd") or "").split())
    check("layer.conf: LAYERSERIES_COMPAT covers scarthgap..wrynose", compat == SERIES, sorted(compat))
    bbfiles = conf.expand(g("BBFILES") or "").split()
    check("layer.conf: BBFILES matches recipes-*/*/*.bb",
          os.path.join(layerdir, "recipes-*/*/*.bb") in bbfiles, bbfiles)
    check("layer.conf: BBFILES does not reach into dynamic-layers/",
          not any("dynamic-layers" in b for b in bbfiles), bbfiles)
    dynamic = dict(e.split(":", 1) for e in conf.expand(g("BBFILES_DYNAMIC") or "").split())
    want = os.path.join(layerdir, "dynamic-layers/openjdk-temurin/recipes-*/*/*.bbappend")
    check("layer.conf: BBFILES_DYNAMIC adds dynamic-layers/openjdk-temurin for collection meta-openjdk-temurin",
          dynamic.get("meta-openjdk-temurin") == want, dynamic)
    want = os.path.join(layerdir, "dynamic-layers/meta-tpm/recipes-*/*/*.bbappend")
    check("layer.conf: BBFILES_DYNAMIC adds dynamic-layers/meta-tpm for meta-tpm's collection tpm-layer",
          dynamic.get(TPM_COLLECTION) == want, dynamic)
    check("layer.conf: BBFILES_DYNAMIC names only those two collections",
          sorted(dynamic) == sorted(["meta-openjdk-temurin", TPM_COLLECTION]), sorted(dynamic))
    check("layer.conf: no LAYERRECOMMENDS/LAYERDEPENDS on meta-tpm (a board without a TPM builds the client)",
          not re.search(r"tpm", (g("LAYERRECOMMENDS_securecmd") or "") + (g("LAYERDEPENDS_securecmd") or "")))
    check("layer.conf: no SECURECMD_LAYERDIR / FILESEXTRAPATHS onto the layer root",
          not g("SECURECMD_LAYERDIR") and not g("FILESEXTRAPATHS"))
    for name in ("README", "COPYING.MIT", "SECURITY.md"):
        check("layer has %s" % name, os.path.isfile(os.path.join(layerdir, name)))
    return {}, dynamic


def check_readme(layerdir):
    """What oe-core's yocto-check-layer (test_readme, test_security) asks, plus what the README must name."""
    text = open(os.path.join(layerdir, "README")).read()
    low = text.lower()
    # A README that mentions another README makes yocto-check-layer skip the checks below.
    check("README does not mention another README (so yocto-check-layer's checks apply)", "readme" not in low)
    check("README has maintainer information", "maintainer" in low)
    check("README says how to submit patches", "patch" in low)
    check("README has an e-mail address", re.match(r"[^@]+@[^@]+", text) and re.search(r"\S+@\S+\.\S+", text))
    for word in ("meta-tpm", TPM_GROUP, "SECURECMD_TPM_PACKAGES", "tpm2-pkcs11-tools", "/dev/tpmrm0", "tpm2-abrmd",
                 "securecmd-client enroll", "tpm2_ptool init", "tpm2_ptool addtoken", "integrators-guide.md",
                 "meta-openjdk-temurin", "SECURECMD_JAVA_RUNTIME", "SECURECMD_SERVER_CA", "SECURECMD_RENEW_TIMER",
                 "SECURECMD_IDENTITY_DIR", "/var/lib/securecmd", "update-client-jar.sh", "Apache-2.0", "MIT",
                 "systemd-analyze verify", "crontab", "scarthgap", "wrynose", "yocto-check-layer"):
        check("README names %s" % word, word in text)
    sec = os.path.join(layerdir, "SECURITY.md")
    check("SECURITY.md is not empty (yocto-check-layer test_security)", os.path.isfile(sec) and os.path.getsize(sec) > 0)
    check("the stale yocto-layer/README-section.md is gone", not os.path.exists(os.path.join(HERE, "README-section.md")))


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
    requires = [(os.path.basename(p), l.strip()) for p in sources for l in code_lines(p) if l.startswith("require ")]
    check("nothing is require'd (a generated file must be optional: include)", not requires, requires)
    classes = sorted(os.listdir(os.path.join(layerdir, "classes-recipe")))
    recipes = {recipe_name(p) for p in sources if p.endswith(".bb")}
    check("the class lives in classes-recipe/ (no classes/ or classes-global/)",
          classes and not any(os.path.exists(os.path.join(layerdir, d)) for d in ("classes", "classes-global")), classes)
    check("no class is named like a recipe", not {c[:-len(".bbclass")] for c in classes} & recipes, classes)
    if shutil.which("git") and os.path.exists(os.path.join(REPO, ".git")):
        for generated in ("securecmd-client.jar", "securecmd-client-jar.inc"):
            path = "yocto-layer/meta-securecmd/%s/files/%s" % (CLIENT_DIR, generated)
            r = subprocess.run(["git", "-C", REPO, "check-ignore", "-q", path])
            check("git ignores the generated %s" % generated, r.returncode == 0)


def check_recipe_static(meta, name, text):
    g = meta.get
    for var in ("SUMMARY", "DESCRIPTION", "HOMEPAGE", "LICENSE", "LIC_FILES_CHKSUM"):
        check("%s: has %s" % (name, var), bool((g(var) or "").strip()))
    check("%s: LICENSE = Apache-2.0 (the software's license)" % name, g("LICENSE") == "Apache-2.0", g("LICENSE"))
    check("%s: LIC_FILES_CHKSUM is oe-core's common Apache-2.0 text" % name, g("LIC_FILES_CHKSUM") == LIC_CHKSUM,
          g("LIC_FILES_CHKSUM"))
    check("%s: no FILESEXTRAPATHS and no COPYING.MIT fetched" % name,
          not g("FILESEXTRAPATHS:prepend") and "COPYING" not in (g("SRC_URI") or ""))
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
    check("%s: inherits allarch" % name, "allarch" in meta.inherits)
    body = meta.shell.get("do_install", "") + "\n" + meta.shell.get("securecmd_install_ca", "")
    cmds = [l.strip() for l in body.split("\n") if l.strip() and not l.strip().startswith("#")]
    shell_ok = re.compile(r"install -(d|m [0-7]{4}) |if \$\{@bb\.utils\.contains\('DISTRO_FEATURES', '\w+', 'true', 'false', d\)\}; then$|fi$")
    bad = [c for c in cmds if not (shell_ok.match(c) or c in meta.shell)]
    check("%s: do_install uses only install -d / install -m (and a DISTRO_FEATURES test)" % name, not bad, bad)
    check("%s: no cp or mkdir in do_install" % name, not re.search(r"\b(cp|mkdir)\b", body))


def check_ca_static(meta, name):
    check("%s: inherits securecmd-server-ca" % name, "securecmd-server-ca" in meta.inherits)
    check("%s: do_install runs securecmd_check_ca first" % name,
          "securecmd_check_ca" in (meta.flags.get(("do_install", "prefuncs")) or "").split())
    for ca, want in (("/x/ca.crt", "/x/ca.crt:True"), ("", "")):
        meta.vars["SECURECMD_SERVER_CA"] = ca
        got = meta.expand(meta.flags.get(("do_install", "file-checksums"), "")).strip()
        check("%s: do_install[file-checksums] = %r for CA %r" % (name, want, ca), got == want, got)


def check_client_static(meta, name):
    g = meta.get
    check("%s: SECURECMD_JAVA_RUNTIME ??= \"\" (oe-core alone must parse)" % name,
          any(v == "SECURECMD_JAVA_RUNTIME" and op == "??=" and val == "" for _, v, f, op, val in meta.ops))
    rdepends = meta.expand(g("RDEPENDS:${PN}") or "").split()
    check("%s: RDEPENDS:${PN} on securecmd-ca (the one owner of server_ca.pem)" % name, "securecmd-ca" in rdepends, rdepends)
    check("%s: RDEPENDS:${PN} from SECURECMD_JAVA_RUNTIME" % name, "${SECURECMD_JAVA_RUNTIME}" in (g("RDEPENDS:${PN}") or ""))
    check("%s: no RCONFLICTS (it no longer ships server_ca.pem)" % name, not g("RCONFLICTS:${PN}"))
    check("%s: does not inherit the CA class" % name, "securecmd-server-ca" not in meta.inherits)
    check("%s: includes the generated files/securecmd-client-jar.inc with include (optional), not require" % name,
          ("include", "files/securecmd-client-jar.inc") in [(k, n) for k, n, _ in meta.includes])
    check("%s: PV comes from SECURECMD_CLIENT_VERSION" % name, "SECURECMD_CLIENT_VERSION" in (g("PV") or ""), g("PV"))
    task = meta.tasks.get("do_securecmd_check_java", [])
    check("%s: addtask securecmd_check_java after do_install before do_package" % name,
          task == ["after", "do_install", "before", "do_package"], task)
    check("%s: the Java check is a task, not parse time (oe-core alone must parse)" % name,
          "securecmd_java_error" not in meta.python.get("__anonymous", ""))
    check("%s: inherits systemd" % name, "systemd" in meta.inherits)
    check("%s: SYSTEMD_SERVICE:${PN} = securecmd-renew.timer" % name,
          g("SYSTEMD_SERVICE:${PN}") == "securecmd-renew.timer", g("SYSTEMD_SERVICE:${PN}"))
    check("%s: FILES:${PN} packages the service (no [Install], so systemd.bbclass does not)" % name,
          "${systemd_system_unitdir}/securecmd-renew.service" in (g("FILES:${PN}") or "").split())
    for value, want in (("1", "enable"), ("0", "disable")):
        meta.vars["SECURECMD_RENEW_TIMER"] = value
        got = meta.expand(g("SYSTEMD_AUTO_ENABLE:${PN}") or "")
        check("%s: SECURECMD_RENEW_TIMER = %r -> SYSTEMD_AUTO_ENABLE %s" % (name, value, want), got == want, got)
    meta.vars["SECURECMD_RENEW_TIMER"] = "1"
    check("%s: SECURECMD_RENEW_TIMER defaults to \"1\" with ?=" % name,
          any(v == "SECURECMD_RENEW_TIMER" and op == "?=" and val == "1" for _, v, f, op, val in meta.ops))


def rdepends(meta):
    return meta.expand(meta.get("RDEPENDS:${PN}") or "").split()


def check_java_rule(bb_path, layerdir, conf_vars, dynamic):
    """Java 17+: the task's message, the refused names, and what the dynamic layer sets."""
    meta = load_recipe(bb_path, layerdir, conf_vars)
    cases = [("", "meta-openjdk-temurin"), ("java2-runtime", "Java 8 or 11"), ("openjdk-8-jre", "Java 8 or 11"),
             ("openjdk-11-jre", "Java 8 or 11"), ("java-1.8.0-openjdk", "Java 8 or 11"),
             ("openjdk-17-jre", None), ("openjdk-21-jre", None), ("openjdk-25-jre", None)]
    for runtime, want in cases:
        meta.vars["SECURECMD_JAVA_RUNTIME"] = runtime
        try:
            run_python(meta, "do_securecmd_check_java")
            got = None
        except Fatal as e:
            got = str(e)
        ok = got is None if want is None else (got is not None and want in got and "SECURECMD_JAVA_RUNTIME" in got)
        check("securecmd-client: do_securecmd_check_java with SECURECMD_JAVA_RUNTIME = %r: %s"
              % (runtime, "passes" if want is None else "stops, naming %s" % want), ok, got)
    bbappends = sorted(glob.glob(dynamic.get("meta-openjdk-temurin", "/nonexistent")))
    names = [os.path.basename(b) for b in bbappends]
    check("dynamic-layers/openjdk-temurin has exactly securecmd-client.bbappend", names == ["securecmd-client.bbappend"], names)
    got = rdepends(load_recipe(bb_path, layerdir, conf_vars, appends=bbappends))
    check("with meta-openjdk-temurin: RDEPENDS = securecmd-ca openjdk-17-jre", got == ["securecmd-ca", "openjdk-17-jre"], got)
    got = rdepends(load_recipe(bb_path, layerdir, conf_vars, appends=bbappends,
                      conf={"SECURECMD_JAVA_RUNTIME": "openjdk-21-jre"}))
    check("with meta-openjdk-temurin: local.conf's SECURECMD_JAVA_RUNTIME wins", got == ["securecmd-ca", "openjdk-21-jre"], got)
    got = rdepends(load_recipe(bb_path, layerdir, conf_vars))
    check("oe-core alone: RDEPENDS is only securecmd-ca (nothing unprovided)", got == ["securecmd-ca"], got)


def check_tpm_group(bb_path, layerdir, conf_vars, dynamic, text):
    """packagegroup-securecmd-tpm: the TPM packages of the enroll path, only through dynamic-layers/meta-tpm.
    Without meta-tpm it skips itself naming the layer (the rest of the layer builds); with it, it RDEPENDS
    on the client and meta-tpm's packages by their real names; local.conf can replace the list."""
    name = TPM_GROUP
    meta = load_recipe(bb_path, layerdir, conf_vars)
    g = meta.get
    for var in ("SUMMARY", "DESCRIPTION", "HOMEPAGE", "LICENSE", "LIC_FILES_CHKSUM"):
        check("%s: has %s" % (name, var), bool((g(var) or "").strip()))
    check("%s: LICENSE = Apache-2.0 with oe-core's common text" % name,
          g("LICENSE") == "Apache-2.0" and g("LIC_FILES_CHKSUM") == LIC_CHKSUM, (g("LICENSE"), g("LIC_FILES_CHKSUM")))
    check("%s: inherits packagegroup" % name, "packagegroup" in meta.inherits, meta.inherits)
    arch = re.search(r'^PACKAGE_ARCH = "\$\{TUNE_PKGARCH\}"$', text, re.M)
    inherit = re.search(r"^inherit packagegroup$", text, re.M)
    check("%s: PACKAGE_ARCH = TUNE_PKGARCH before inherit packagegroup (not allarch: it depends on target "
          "libraries the debian renaming may rename)" % name, arch and inherit and arch.start() < inherit.start())
    check("%s: fetches and installs nothing" % name, not g("SRC_URI") and "do_install" not in meta.shell)
    check("%s: SECURECMD_TPM_PACKAGES ??= \"\" in the recipe (meta-tpm stays optional)" % name,
          [(op, val) for f, v, _, op, val in meta.ops if v == "SECURECMD_TPM_PACKAGES" and f == bb_path] == [("??=", "")])
    check("%s: RDEPENDS:${PN} = securecmd-client ${SECURECMD_TPM_PACKAGES}" % name,
          g("RDEPENDS:${PN}") == "securecmd-client ${SECURECMD_TPM_PACKAGES}", g("RDEPENDS:${PN}"))
    reason = parse_outcome(meta)
    check("without meta-tpm: %s skips itself naming meta-tpm and SECURECMD_TPM_PACKAGES" % name,
          reason and "parse error" not in reason and "meta-tpm" in reason and "SECURECMD_TPM_PACKAGES" in reason, reason)
    pattern = dynamic.get(TPM_COLLECTION, "/nonexistent")
    bbappends = sorted(glob.glob(pattern))
    names = [os.path.basename(b) for b in bbappends]
    check("dynamic-layers/meta-tpm has exactly %s.bbappend" % name, names == [name + ".bbappend"], names)
    tpm_dir = os.path.join(layerdir, "dynamic-layers", "meta-tpm")
    every = sorted(os.path.relpath(os.path.join(r, n), tpm_dir) for r, _, ns in os.walk(tpm_dir) for n in ns)
    check("dynamic-layers/meta-tpm holds nothing BBFILES_DYNAMIC would not read",
          every == [os.path.relpath(b, tpm_dir) for b in bbappends], every)
    check("dynamic-layers/meta-tpm does not touch securecmd-client (a board without a TPM keeps the same client)",
          not any("securecmd-client" in n for n in names), names)
    with_tpm = load_recipe(bb_path, layerdir, conf_vars, appends=bbappends)
    check("with meta-tpm: %s parses" % name, parse_outcome(with_tpm) is None, parse_outcome(with_tpm))
    got = rdepends(with_tpm)
    check("with meta-tpm: RDEPENDS = securecmd-client and meta-tpm's %s" % " ".join(TPM_PACKAGES),
          got == ["securecmd-client"] + TPM_PACKAGES, got)
    check("with meta-tpm: no tpm2-abrmd (the kernel's /dev/tpmrm0 is the resource manager)",
          not any("abrmd" in p for p in got), got)
    check("with meta-tpm: the value is ?= (local.conf wins)",
          [op for f, v, _, op, _ in with_tpm.ops if v == "SECURECMD_TPM_PACKAGES" and f in bbappends] == ["?="])
    mine = "tpm2-pkcs11 tpm2-pkcs11-tools tpm2-tools tpm2-abrmd"
    got = rdepends(load_recipe(bb_path, layerdir, conf_vars, appends=bbappends, conf={"SECURECMD_TPM_PACKAGES": mine}))
    check("with meta-tpm: local.conf's SECURECMD_TPM_PACKAGES wins", got == ["securecmd-client"] + mine.split(), got)
    other = load_recipe(bb_path, layerdir, conf_vars, conf={"SECURECMD_TPM_PACKAGES": "my-tpm2-pkcs11"})
    check("without meta-tpm, SECURECMD_TPM_PACKAGES in local.conf: parses with those packages",
          parse_outcome(other) is None and rdepends(other) == ["securecmd-client", "my-tpm2-pkcs11"], rdepends(other))


# ------------------------------------------------------------------- behaviour

CA_TREE = {"etc d 755", "etc/securecmd d 755", "etc/securecmd/server_ca.pem f 644"}
CLIENT_BASE = {"usr d 755", "usr/bin d 755", "usr/bin/securecmd-client f 755",
               "usr/share d 755", "usr/share/securecmd d 755", "usr/share/securecmd/securecmd-client.jar f 644"}
UNITS = {"lib d 755", "lib/systemd d 755", "lib/systemd/system d 755",
         "lib/systemd/system/securecmd-renew.service f 644", "lib/systemd/system/securecmd-renew.timer f 644"}


def build(bb_path, layerdir, conf_vars, work, ca=None, conf=None, overrides=None):
    """Fetch, unpack, compile and install one recipe in a fresh WORKDIR; returns (meta, listing)."""
    shutil.rmtree(work, ignore_errors=True)
    meta = load_recipe(bb_path, layerdir, conf_vars, conf=conf,
                       overrides=dict({"WORKDIR": work, "UNPACKDIR": "${WORKDIR}/sources"},
                                      **({"SECURECMD_SERVER_CA": ca} if ca is not None else {}), **(overrides or {})))
    skipped = parse_outcome(meta)
    if skipped:
        raise RuntimeError("skipped at parse time: " + skipped)
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


def tree_of(listing):
    return {l.rsplit(" ", 1)[0] for l in listing.split("\n") if l}, {l.rsplit(" ", 1)[1] for l in listing.split("\n") if l}


def check_ca_build(bb_path, layerdir, conf_vars, tmp, pki):
    name = "securecmd-ca"
    try:
        meta, listing = build(bb_path, layerdir, conf_vars, os.path.join(tmp, "work-ca"), pki["ca.crt"])
    except (Fatal, RuntimeError, KeyError) as e:
        return check("%s: builds with SECURECMD_SERVER_CA = ca.crt" % name, False, e)
    check("%s: builds with SECURECMD_SERVER_CA = ca.crt" % name, True)
    tree, owners = tree_of(listing)
    check("%s: installs exactly server_ca.pem" % name, tree == CA_TREE,
          "extra %s, missing %s" % (sorted(tree - CA_TREE), sorted(CA_TREE - tree)))
    check("%s: everything owned by root:root (fakeroot)" % name, owners == {"root:root"}, owners)
    installed_ca = os.path.join(meta.expand("${D}"), "etc/securecmd/server_ca.pem")
    check("%s: server_ca.pem is byte-identical to SECURECMD_SERVER_CA" % name,
          open(installed_ca, "rb").read() == open(pki["ca.crt"], "rb").read())
    r = subprocess.run(["openssl", "verify", "-CAfile", installed_ca, pki["server.crt"]], capture_output=True, text=True)
    check("%s: installed server_ca.pem verifies the server certificate" % name, r.returncode == 0, r.stdout + r.stderr)


def check_client_build(bb_path, layerdir, conf_vars, tmp, jar):
    name = "securecmd-client"
    work = os.path.join(tmp, "work-client")
    try:
        meta, listing = build(bb_path, layerdir, conf_vars, work)
    except (Fatal, RuntimeError, KeyError) as e:
        return check("%s: builds (no CA needed: securecmd-ca has it)" % name, False, e)
    check("%s: builds (no CA needed: securecmd-ca has it)" % name, True)
    tree, owners = tree_of(listing)
    want = CLIENT_BASE | UNITS
    check("%s: installs exactly the launcher, the jar and the renewal units (no server_ca.pem)" % name, tree == want,
          "extra %s, missing %s" % (sorted(tree - want), sorted(want - tree)))
    check("%s: everything owned by root:root (fakeroot)" % name, owners == {"root:root"}, owners)
    d = meta.expand("${D}")
    check_launcher(os.path.join(d, "usr/bin/securecmd-client"), tmp)
    check("%s: installed jar is the given jar" % name,
          open(os.path.join(d, "usr/share/securecmd/securecmd-client.jar"), "rb").read() == open(jar, "rb").read())
    check_units(d, tmp, "/etc/securecmd", "")
    check_systemd_verify(d, tmp)
    # Another identity dir and options reach the service; without systemd no units are installed.
    try:
        meta2, _ = build(bb_path, layerdir, conf_vars, work, conf={"SECURECMD_IDENTITY_DIR": "/var/lib/securecmd /root/.tpm2_pkcs11",
                                                                   "SECURECMD_RENEW_OPTIONS": "--rekey"})
        check_units(meta2.expand("${D}"), tmp, "/var/lib/securecmd /root/.tpm2_pkcs11", " --rekey")
        check_systemd_verify(meta2.expand("${D}"), tmp)
    except (Fatal, RuntimeError, KeyError) as e:
        check("%s: builds with SECURECMD_IDENTITY_DIR = /var/lib/securecmd" % name, False, e)
    try:
        _, listing = build(bb_path, layerdir, conf_vars, work, conf={"DISTRO_FEATURES": "sysvinit"})
        tree, _ = tree_of(listing)
        check("%s: without systemd in DISTRO_FEATURES no units are installed" % name, tree == CLIENT_BASE,
              sorted(tree ^ CLIENT_BASE))
    except (Fatal, RuntimeError, KeyError) as e:
        check("%s: builds without systemd" % name, False, e)
    for var, value, want in (("SECURECMD_RENEW_TIMER", "yes", 'SECURECMD_RENEW_TIMER = "yes"'),
                             ("SECURECMD_RENEW_WITHIN", "", "SECURECMD_RENEW_WITHIN"),
                             ("SECURECMD_CLIENT_CONFIG", "/a b", "SECURECMD_CLIENT_CONFIG"),
                             ("SECURECMD_IDENTITY_DIR", "var/lib/securecmd", "SECURECMD_IDENTITY_DIR"),
                             ("SECURECMD_IDENTITY_DIR", "", "SECURECMD_IDENTITY_DIR")):
        try:
            build(bb_path, layerdir, conf_vars, work, conf={var: value})
            got = "no error"
        except (Fatal, RuntimeError) as e:
            got = str(e)
        check("%s: %s = %r stops do_install naming it" % (name, var, value), want in got, got)
    # A jar copied by hand (not by update-client-jar.sh) does not match the recorded sha256.
    other = os.path.join(tmp, "other.jar")
    stand_in_jar(other, "0.1.0")
    files = os.path.join(layerdir, CLIENT_DIR, "files")
    saved = os.path.join(tmp, "saved.jar")
    shutil.copy2(os.path.join(files, "securecmd-client.jar"), saved)
    shutil.copy2(other, os.path.join(files, "securecmd-client.jar"))
    try:
        build(bb_path, layerdir, conf_vars, work)
        got = "no error"
    except (Fatal, RuntimeError) as e:
        got = str(e)
    finally:
        shutil.copy2(saved, os.path.join(files, "securecmd-client.jar"))
    check("%s: a jar not recorded by update-client-jar.sh stops do_install" % name,
          "update-client-jar.sh" in got and "sha256" in got, got)


def unit(path):
    """{section: {key: [values]}} of a systemd unit file."""
    out, section = {}, None
    for line in open(path).read().split("\n"):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = out.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key, []).append(value)
    return out


def seconds(span):
    m = re.fullmatch(r"(\d+)\s*(h|min|m|s|)", span)
    return int(m.group(1)) * {"h": 3600, "min": 60, "m": 60, "s": 1, "": 1}[m.group(2)] if m else -1


def check_units(d, tmp, identity_dir, options):
    unitdir = os.path.join(d, "lib/systemd/system")
    svc = unit(os.path.join(unitdir, "securecmd-renew.service"))
    tmr = unit(os.path.join(unitdir, "securecmd-renew.timer"))
    s = svc.get("Service", {})
    n = "securecmd-renew.service (%s)" % identity_dir
    check("%s: Type=oneshot" % n, s.get("Type") == ["oneshot"], s.get("Type"))
    want = ["/usr/bin/securecmd-client renew --config /etc/securecmd/client.properties --if-expires-within 30d" + options]
    check("%s: ExecStart runs securecmd-client renew with the client's config" % n, s.get("ExecStart") == want, s.get("ExecStart"))
    check("%s: no [Install] (the timer starts it)" % n, "Install" not in svc)
    check("%s: skipped until the device has a client config" % n,
          svc.get("Unit", {}).get("ConditionPathExists") == ["/etc/securecmd/client.properties"])
    check("%s: after network-online.target" % n, "network-online.target" in " ".join(svc.get("Unit", {}).get("After", [])))
    hardening = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "read-only", "PrivateTmp": "yes",
                 "CapabilityBoundingSet": "", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
                 "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
                 "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "UMask": "0077",
                 "ReadWritePaths": " ".join("-" + p for p in identity_dir.split())}
    wrong = {k: s.get(k) for k, v in hardening.items() if s.get(k) != [v]}
    check("%s: hardened (ProtectSystem=strict, writes only %s, no capabilities, ...)" % (n, identity_dir), not wrong, wrong)
    check("%s: no MemoryDenyWriteExecute (the JVM's JIT needs W+X pages)" % n, "MemoryDenyWriteExecute" not in s)
    t = tmr.get("Timer", {})
    check("securecmd-renew.timer: OnCalendar=daily", t.get("OnCalendar") == ["daily"], t.get("OnCalendar"))
    delay = seconds((t.get("RandomizedDelaySec") or ["x"])[0])
    check("securecmd-renew.timer: RandomizedDelaySec of hours", 3600 <= delay <= 24 * 3600, t.get("RandomizedDelaySec"))
    check("securecmd-renew.timer: Persistent=true", t.get("Persistent") == ["true"], t.get("Persistent"))
    check("securecmd-renew.timer: WantedBy=timers.target", tmr.get("Install", {}).get("WantedBy") == ["timers.target"])
    check("securecmd-renew.timer: starts securecmd-renew.service (same name, no Unit=)", "Unit" not in t)


def check_systemd_verify(d, tmp):
    """systemd-analyze verify on the installed units, with the image as root (ExecStart must exist there)
    and the host's own units for the targets they name. Any output is a finding."""
    if not shutil.which("systemd-analyze"):
        return check("systemd-analyze verify (systemd-analyze is needed: apt-get install -y systemd)", False)
    root = os.path.join(tmp, "verify-root")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(d, root, symlinks=True)
    for host_units in ("/lib/systemd/system", "/usr/lib/systemd/system"):
        if os.path.isdir(host_units):
            shutil.copytree(host_units, os.path.join(root, "usr/lib/systemd/system"), symlinks=True, dirs_exist_ok=True)
            break
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", "--root=" + root,
                        "securecmd-renew.service", "securecmd-renew.timer"], capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    check("systemd-analyze verify securecmd-renew.service securecmd-renew.timer: clean", r.returncode == 0 and not out, out)


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
    name = recipe_name(bb_path)
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


# ------------------------------------------------------------ the client jar

def copy_layer(tmp, name):
    """A copy of the layer without generated files, so the check never writes into the worktree."""
    copy = os.path.join(tmp, name)
    shutil.copytree(os.path.join(HERE, "meta-securecmd"), os.path.join(copy, "meta-securecmd"),
                    ignore=shutil.ignore_patterns("*.jar", "securecmd-client-jar.inc"))
    shutil.copy2(os.path.join(HERE, "update-client-jar.sh"), copy)
    return copy


def run_update(copy, jar, env=None):
    return subprocess.run([os.path.join(copy, "update-client-jar.sh"), jar], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))


def check_update_script(tmp, pki, jar):
    """What update-client-jar.sh writes, and what it refuses."""
    copy = copy_layer(tmp, "update-check")
    files = os.path.join(copy, "meta-securecmd", CLIENT_DIR, "files")
    inc = os.path.join(files, "securecmd-client-jar.inc")
    r = run_update(copy, pki["ca.crt"])
    check("update-client-jar.sh refuses a file that is not a jar", r.returncode == 1 and "not a jar" in r.stderr, r.stderr)
    r = run_update(copy, stand_in_jar(os.path.join(tmp, "noversion.jar"), None))
    check("update-client-jar.sh refuses a jar without Implementation-Version",
          r.returncode == 1 and "Implementation-Version" in r.stderr and not os.path.exists(inc), r.stderr)
    bb_path = os.path.join(copy, "meta-securecmd", CLIENT_DIR, "securecmd-client.bb")
    layerdir = os.path.join(copy, "meta-securecmd")
    checkout = os.path.join(tmp, "checkout")   # a snapshot built in a git checkout with one commit
    os.makedirs(checkout)
    git = ["git", "-C", checkout, "-c", "user.name=check", "-c", "user.email=check@example.invalid"]
    if not shutil.which("git"):
        sys.exit("check-layer.py: git is needed (apt-get install -y git)")
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "one"], check=True)
    for version, env, want in (("0.3.1", {}, r"0\.3\.1"),
                               ("0.4.0-SNAPSHOT", {"SECURECMD_SNAPSHOT_ID": "17+g0123abcd"}, r"0\.4\.0~snapshot\.17\+g0123abcd"),
                               ("0.4.0-SNAPSHOT", {}, r"0\.4\.0~snapshot\.1\+g[0-9a-f]{12}")):
        j = stand_in_jar(os.path.join(checkout if version.endswith("SNAPSHOT") and not env else tmp, "v.jar"), version)
        r = run_update(copy, j, env)
        where = " (%s)" % env if env else " built in a git checkout" if version.endswith("SNAPSHOT") else ""
        if not check("update-client-jar.sh takes a %s jar%s" % (version, where),
                     r.returncode == 0, r.stderr):
            continue
        meta = load_recipe(bb_path, layerdir, {})
        pv = meta.expand("${PV}")
        sha = hashlib.sha256(open(j, "rb").read()).hexdigest()
        check("jar %s -> PV %s" % (version, want.replace("\\", "")), re.fullmatch(want, pv), pv)
        check("jar %s -> SECURECMD_CLIENT_SHA256 is the jar's sha256" % version, meta.get("SECURECMD_CLIENT_SHA256") == sha)
    r = run_update(copy, stand_in_jar(os.path.join(tmp, "v.jar"), "0.4.0-SNAPSHOT"), {"SECURECMD_SNAPSHOT_ID": "x; rm"})
    check("update-client-jar.sh refuses a malformed SECURECMD_SNAPSHOT_ID", r.returncode == 1, r.stderr)
    if not os.path.isdir(os.path.join(REPO, ".git")):
        return
    # The real client jar's version is the client module's version.
    r = run_update(copy, jar)
    check("update-client-jar.sh copies the client jar", r.returncode == 0, r.stderr)
    meta = load_recipe(bb_path, layerdir, {})
    check("the client jar's version reaches PV", meta.expand("${PV}") == jar_version(jar).replace("-SNAPSHOT", "~snapshot.")
          or meta.expand("${PV}").startswith(jar_version(jar).replace("-SNAPSHOT", "~snapshot.")), meta.expand("${PV}"))


def check_jar_absent(tmp, pki, conf_vars):
    """A fresh clone: no jar, no generated include. The client recipe skips itself with a message naming
    the update script; the CA recipe still parses and builds."""
    copy = copy_layer(tmp, "fresh-clone")
    layerdir = os.path.join(copy, "meta-securecmd")
    client = os.path.join(layerdir, CLIENT_DIR, "securecmd-client.bb")
    ca = os.path.join(layerdir, "recipes-securecmd/securecmd-ca/securecmd-ca_0.1.0.bb")
    files = os.path.join(layerdir, CLIENT_DIR, "files")
    for state, setup in (("no jar, no include", lambda: None),
                         ("include but no jar", lambda: open(os.path.join(files, "securecmd-client-jar.inc"), "w").write(
                             'SECURECMD_CLIENT_VERSION = "0.1.0"\nSECURECMD_CLIENT_SHA256 = "00"\n')),
                         ("jar but no include", lambda: (os.remove(os.path.join(files, "securecmd-client-jar.inc")),
                                                         stand_in_jar(os.path.join(files, "securecmd-client.jar"))))):
        setup()
        try:
            reason = parse_outcome(load_recipe(client, layerdir, conf_vars))
        except Exception as e:   # the reader failed: the real bitbake would fail the whole parse
            reason = "parse error: %r" % e
        check("jar absent (%s): securecmd-client skips itself naming yocto-layer/update-client-jar.sh" % state,
              reason is not None and "yocto-layer/update-client-jar.sh" in reason and "parse error" not in reason, reason)
    os.remove(os.path.join(files, "securecmd-client.jar"))
    try:
        meta = load_recipe(ca, layerdir, conf_vars)
        check("jar absent: securecmd-ca parses", parse_outcome(meta) is None)
        _, listing = build(ca, layerdir, conf_vars, os.path.join(tmp, "work-fresh-ca"), pki["ca.crt"])
        check("jar absent: securecmd-ca builds", tree_of(listing)[0] == CA_TREE)
    except (Fatal, RuntimeError, KeyError, SyntaxError) as e:
        check("jar absent: securecmd-ca parses and builds", False, e)
    conf, e = check_layer_conf_quiet(layerdir)
    check("jar absent: layer.conf reads", conf is not None, e)


def check_layer_conf_quiet(layerdir):
    try:
        conf = Meta({"LAYERDIR": layerdir})
        read(os.path.join(layerdir, "conf", "layer.conf"), conf, layerdir)
        return conf, None
    except Exception as e:
        return None, e


# --------------------------------------------------------------- one license

def check_one_license():
    """The project has one license: LICENSE at the root, the poms, the Debian copyright, the recipes."""
    lic = os.path.join(REPO, "LICENSE")
    check("LICENSE at the repository root is the Apache-2.0 text",
          os.path.isfile(lic) and hashlib.md5(open(lic, "rb").read()).hexdigest() == APACHE_TEXT_MD5)
    pom = open(os.path.join(REPO, "pom.xml")).read()
    m = re.search(r"<licenses>\s*<license>\s*<name>([^<]+)</name>\s*<url>([^<]+)</url>", pom)
    check("pom.xml <licenses> names Apache-2.0", m and m.group(1) == "Apache-2.0"
          and m.group(2) == "https://www.apache.org/licenses/LICENSE-2.0", m and m.groups())
    others = [p for p in glob.glob(os.path.join(REPO, "*", "pom.xml")) if "<licenses>" in open(p).read()]
    check("module poms inherit <licenses> from the parent (no second license)", not others, others)
    cp = glob.glob(os.path.join(REPO, "packaging/src/deb/**/copyright"), recursive=True)
    text = open(cp[0]).read() if cp else ""
    m = re.search(r"^Files: \*\nCopyright: [^\n]+\nLicense: (\S+)", text, re.M)
    check("Debian copyright: Files: * is Apache-2.0", m and m.group(1) == "Apache-2.0", m and m.group(1))
    for jar, lic_name in (("tomlj", "Apache-2.0"), ("logback", "EPL-1.0 or LGPL-2.1"), ("slf4j", "Expat"),
                          ("postgresql", "BSD-2-clause"), ("bc", "Expat")):
        stanza = re.search(r"^Files:[^\n]*lib/%s[^\n]*\n(?:[^\n]+\n)*?License: ([^\n]+)" % re.escape(jar), text, re.M)
        check("Debian copyright lists the bundled %s jar(s) as %s" % (jar, lic_name),
              stanza and stanza.group(1) == lic_name, stanza and stanza.group(1))
    # Every jar the package bundles (the daemon's runtime dependencies, once built) has its own stanza.
    patterns = [p for line in re.findall(r"^Files: (.+)$", text, re.M) for p in line.split() if p != "*"]
    built = sorted(os.path.basename(j) for j in glob.glob(os.path.join(REPO, "daemon/target/lib/*.jar"))
                   if not os.path.basename(j).startswith("securecmd-"))
    uncovered = [j for j in built if not any(fnmatch.fnmatch("usr/lib/securecmd/lib/" + j, p) for p in patterns)]
    if built:
        check("Debian copyright has a Files stanza for every jar in daemon/target/lib", not uncovered, uncovered)


# ------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jar", help="client jar to package (default: client/target/securecmd-client.jar, else a stand-in)")
    args = ap.parse_args()
    for tool in ("fakeroot", "openssl", "systemd-analyze"):
        if not shutil.which(tool):
            sys.exit("check-layer.py: %s is needed (apt-get install -y fakeroot openssl systemd)" % tool)
    with tempfile.TemporaryDirectory(prefix="check-layer-") as tmp:
        pki = make_pki(tmp)
        jar = args.jar or os.path.join(REPO, "client/target/securecmd-client.jar")
        if not args.jar and not os.path.isfile(jar):
            print("note: %s not built; using a stand-in jar (CI passes --jar)" % jar)
            jar = stand_in_jar(os.path.join(tmp, "stand-in.jar"))
        real = os.path.join(HERE, "meta-securecmd")
        check_layer_files(real)
        check_readme(real)
        check_one_license()
        check_update_script(tmp, pki, jar)
        conf_vars, _ = check_layer_conf(real)
        check_jar_absent(tmp, pki, conf_vars)
        # The layer as an integrator has it after update-client-jar.sh.
        copy = copy_layer(tmp, "yocto-layer")
        r = run_update(copy, jar)
        check("update-client-jar.sh copies the jar into the layer", r.returncode == 0, r.stderr)
        layerdir = os.path.join(copy, "meta-securecmd")
        conf_vars, dynamic = check_layer_conf(layerdir)
        recipes = sorted(p for p in glob.glob(os.path.join(layerdir, "recipes-*/*/*.bb")))
        names = [recipe_name(p) for p in recipes]
        check("layer has the %s, securecmd-ca and securecmd-client recipes" % TPM_GROUP,
              names == [TPM_GROUP, "securecmd-ca", "securecmd-client"], names)
        for bb_path, name in zip(recipes, names):
            meta = load_recipe(bb_path, layerdir, conf_vars)
            if name == TPM_GROUP:
                check_tpm_group(bb_path, layerdir, conf_vars, dynamic, open(bb_path).read())
                continue
            check("%s: parses (not skipped) with the jar in place" % name, parse_outcome(meta) is None)
            check_recipe_static(meta, name, open(bb_path).read())
            if name == "securecmd-client":
                check_client_static(meta, name)
                check("securecmd-client: PV is the jar's version", meta.expand("${PV}") == jar_version(jar)
                      or "~snapshot." in meta.expand("${PV}"), meta.expand("${PV}"))
                check_java_rule(bb_path, layerdir, conf_vars, dynamic)
                check_client_build(bb_path, layerdir, conf_vars, tmp, jar)
            else:
                check_ca_static(meta, name)
                check_ca_build(bb_path, layerdir, conf_vars, tmp, pki)
                check_ca_errors(bb_path, layerdir, conf_vars, tmp, pki)
    print("%d passed, %d failed" % (ok_count, fail_count))
    sys.exit(1 if fail_count else 0)


if __name__ == "__main__":
    main()
