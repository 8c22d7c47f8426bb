# securecmd-server-ca.bbclass: installs the integrator's server CA as
# ${sysconfdir}/securecmd/server_ca.pem and refuses to build without a usable
# one. The securecmd-ca recipe uses it (the one package that owns the file);
# a recipe of your own that must carry the CA under another name can too.
#
# Usage in a recipe:  inherit securecmd-server-ca   and, in do_install:  securecmd_install_ca

# Path to the PEM file with the CA certificate(s) that issued the securecmd
# server's certificate. Set it in local.conf or a bbappend. No default on
# purpose: a default would make devices trust a test CA by accident.
SECURECMD_SERVER_CA ??= ""

# The CA is read in do_install, not fetched: hash its content too, so a new CA
# with the same path rebuilds the package.
do_install[file-checksums] += "${@'%s:True' % d.getVar('SECURECMD_SERVER_CA') if d.getVar('SECURECMD_SERVER_CA') else ''}"
do_install[prefuncs] += "securecmd_check_ca"

def securecmd_der_is_ca(der):
    """True if the DER certificate has basicConstraints cA TRUE (RFC 5280 4.2.1.9)."""
    at = der.find(b'\x06\x03\x55\x1d\x13')      # OID 2.5.29.19, basicConstraints
    if at < 0:
        return False
    rest = der[at + 5:]
    if rest[:2] == b'\x01\x01':                 # optional "critical" BOOLEAN
        rest = rest[3:]
    # extnValue: OCTET STRING { SEQUENCE { cA BOOLEAN DEFAULT FALSE, ... } }
    return (rest[:1] == b'\x04' and rest[2:3] == b'\x30'
            and rest[4:6] == b'\x01\x01' and rest[6:7] not in (b'', b'\x00'))

def securecmd_ca_error(path):
    """Why path is not usable as SECURECMD_SERVER_CA, or None if it is."""
    import base64, binascii, os, re
    if not path:
        return ('SECURECMD_SERVER_CA is not set. Set it in local.conf or a bbappend to the PEM '
                'CA certificate that issued your securecmd server certificate, e.g. '
                'SECURECMD_SERVER_CA = "/path/to/ca.crt". meta-securecmd ships no default CA.')
    where = 'SECURECMD_SERVER_CA = "%s"' % path
    if not os.path.isabs(path):
        return '%s: must be an absolute path on the build host' % where
    try:
        with open(path, encoding='ascii', errors='replace') as f:
            text = f.read()
    except OSError as e:
        return '%s: cannot read it: %s' % (where, e.strerror)
    if 'PRIVATE KEY-----' in text:
        return '%s: the file contains a private key; give only the CA certificate' % where
    blocks = re.findall(r'-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----', text, re.S)
    if not blocks:
        return '%s: not a PEM certificate (no -----BEGIN CERTIFICATE----- block)' % where
    for n, block in enumerate(blocks, 1):
        try:
            der = base64.b64decode(''.join(block.split()), validate=True)
        except (binascii.Error, ValueError):
            return '%s: certificate %d is not valid base64' % (where, n)
        if not securecmd_der_is_ca(der):
            return ('%s: certificate %d is not a CA certificate (no basicConstraints CA:TRUE); '
                    'give the CA that issued the server certificate, not the server '
                    'certificate itself' % (where, n))
    return None

python securecmd_check_ca() {
    problem = securecmd_ca_error(d.getVar('SECURECMD_SERVER_CA'))
    if problem:
        bb.fatal(problem)
}

securecmd_install_ca() {
    install -d ${D}${sysconfdir}/securecmd
    install -m 0644 "${SECURECMD_SERVER_CA}" ${D}${sysconfdir}/securecmd/server_ca.pem
}
