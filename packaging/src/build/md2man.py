#!/usr/bin/env python3
"""md2man.py SOURCE.md NAME SECTION "DESCRIPTION" VERSION > page: one Markdown file of the manual as a man page.

So a reference (the configuration keys) is written once, in docs/, and the package's man page is made from
it at build time. Handles the subset the manual uses: headings, paragraphs, `code`, **bold**, links,
bullet and numbered lists, fenced code blocks and tables (each row becomes a tagged paragraph: the first
cell is the tag, the other cells follow, prefixed by their column names).
"""
import re, sys

def esc(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", s)

def inline(s):
    s = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", s)          # links: the text only
    out, parts = [], re.split(r"(`[^`]*`|\*\*[^*]+\*\*)", s)
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) > 1:
            out.append("\\fB" + esc(p[1:-1]) + "\\fR")
        elif p.startswith("**") and p.endswith("**"):
            out.append("\\fB" + esc(p[2:-2]) + "\\fR")
        else:
            out.append(esc(p))
    return "".join(out)

def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]

def convert(md, name, section, description, version):
    out = [f'.TH {name.upper()} {section} "" "securecmd {version}" "securecmd manual"',
           ".SH NAME", f"{esc(name)} \\- {esc(description)}"]
    lines = md.split("\n")
    i, para = 0, []
    def flush():
        if para:
            out.append(".PP")
            out.append(inline(" ".join(para)))
            para.clear()
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            flush()
            out += [".PP", ".RS 4", ".nf"]
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                out.append(esc(lines[i]))
                i += 1
            out += [".fi", ".RE"]
        elif line.startswith("<!--"):
            pass
        elif line.startswith("# "):
            flush()                                           # the title: NAME says it already
        elif line.startswith("## "):
            flush(); out.append(".SH " + inline(line[3:]).upper())
        elif line.startswith("### "):
            flush(); out.append(".SS " + inline(line[4:]))
        elif line.startswith("|"):
            flush()
            head = cells(line)
            i += 2                                            # skip the |---| line
            while i < len(lines) and lines[i].startswith("|"):
                row = cells(lines[i])
                out += [".TP", inline(row[0])]
                out.append(inline("; ".join(f"{h}: {c}" if h else c for h, c in zip(head[1:], row[1:]) if c)))
                i += 1
            continue
        elif re.match(r"^\s*([-*]|\d+\.) ", line):
            flush()
            m = re.match(r"^\s*([-*]|\d+\.) (.*)", line)
            item = [m.group(2)]
            while i + 1 < len(lines) and lines[i + 1].startswith("  ") and not re.match(r"^\s*([-*]|\d+\.) ", lines[i + 1]) \
                    and not lines[i + 1].strip().startswith("```"):
                i += 1
                item.append(lines[i].strip())
            out += [".IP " + ("\\(bu" if m.group(1) in "-*" else m.group(1)) + " 4", inline(" ".join(item))]
        elif not line.strip():
            flush()
        else:
            para.append(line.strip())
        i += 1
    flush()
    return "\n".join(out) + "\n"

if __name__ == "__main__":
    src, name, section, description, version = sys.argv[1:6]
    sys.stdout.write(convert(open(src).read(), name, section, description, version))
