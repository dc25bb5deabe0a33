#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""rpcgen.py: C types and XDR functions from a protocol description (.x).

Usage: rpcgen.py --header OUT.h --source OUT.c [--dispatch] IN.x

The input is the subset of the XDR language (RFC 4506) and rpcgen's
extensions that libvirt's protocol files use:

  const NAME = 42;                 decimal, 0x hex, 0 octal, negative, or
                                   the name of another const
  typedef DECL;                    DECL as in a struct member
  struct name { DECL; ... };
  union name switch (DECL) { case V: [case W:] DECL; ... [default: DECL;] };
  enum name { NAME = V, ... };     every value explicit

  DECL: T x  |  T x[N]  |  T x<N>  |  T x<>  |  T *x  |  opaque x[N]
        opaque x<N>  |  string x<N>  |  string x<>  |  void (union arms)
  T:    int, unsigned int, unsigned, hyper, unsigned hyper, double, bool,
        char, unsigned char, short, unsigned short (these four travel as a
        full int), or a type defined earlier ("struct"/"union"/"enum" in
        front of its name are accepted). Only an optional object (T *x)
        or a variable-length array (T x<N>) may name a struct or union
        defined later (or itself).

Not supported (each is an error naming file and line): program blocks,
float and quadruple, long, %-passthrough and # lines, // comments, inline
struct/union/enum bodies in declarations, enum values without "=".

Names. Every type name is "<ns>_..." (lower case) and every const or enum
value "<NS>_..." (upper case), with one namespace <ns> per file ("remote",
"rpc", "test"), taken from the first definition:
  type remote_nonnull_domain  -> C type      VgmRemoteNonnullDomain
                              -> function    vgmRemoteXdrNonnullDomain
  REMOTE_STRING_MAX (const or enum value) -> VGM_REMOTE_STRING_MAX
Members keep their .x names. C types: int -> gint32, unsigned int ->
guint32, hyper -> gint64, unsigned hyper -> guint64, double, bool ->
gint32, char -> char, unsigned char -> guint8, short -> gint16, unsigned
short -> guint16, string -> char *, T *x -> pointer (NULL = absent),
opaque x[N] -> guint8 x[N], T x<N> and opaque x<N> -> struct { guint32
len; T *val; } x, union -> struct { <disc> <name>; union { arms } u; },
enum -> a C enum (4 bytes; values outside it travel unchanged).

Each type gets gboolean vgm<Ns>Xdr<Type>(VgmXdr *xdr, void *obj), which
encodes, decodes or frees *obj with the primitives of src/rpc/vgm_xdr.h.

Procedures (--dispatch). The enum named <ns>_procedure lists them: an
entry <NS>_PROC_<NAME> = N takes <ns>_<name>_args and returns
<ns>_<name>_ret (each void when no such type exists); a message
procedure's payload is <ns>_<name>_msg. Annotations go in a comment on
the entry's line:
  <NS>_PROC_<NAME> = N,   /* @readonly @preopen  free text after */
    @readonly  allowed on a read-only connection
    @preopen   allowed before CONNECT_OPEN
    @message   sent by the server as a type-2 message, never dispatched
--dispatch emits Vgm<Ns>ProcInfo {proc, name (the .x name), argsFn,
argsSize, retFn, retSize, dispatch, flags}, the table vgm<Ns>Procs[]
sorted by number (vgm<Ns>NProcs entries), vgm<Ns>ProcFind() (binary
search), and declares the typed handler of every non-message procedure,
  gboolean vgm<Ns>Dispatch<Name>(Vgm<Ns>Client *client,
                                 [const <Args> *args,] [<Ret> *ret,]
                                 GError **error);
which the server must define (Vgm<Ns>Client is the server's type); the
table reaches it through a static thunk with the void * signature.
Message procedures have table entries (payload in argsFn) with dispatch
NULL. With --dispatch, an _args/_ret/_msg type that matches no procedure
is an error (it would silently travel as void).
"""

import argparse
import os
import re
import sys


class RpcgenError(Exception):
    def __init__(self, path, line, msg):
        super().__init__(f"{path}:{line}: error: {msg}")


# ---------------------------------------------------------------- lexer

class Token:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind, text, line):
        self.kind = kind      # "id", "num", "punct", "comment", "eof"
        self.text = text
        self.line = line

    def __repr__(self):
        return f"{self.kind}:{self.text!r}@{self.line}"


IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NUMBER_RE = re.compile(r"0[xX][0-9A-Fa-f]+|[0-9]+")
PUNCT = "{}()[]<>;,=*:-"


def tokenize(path, text):
    tokens = []
    i = 0
    line = 1
    at_line_start = True
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            at_line_start = True
            continue
        if c.isspace():
            i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise RpcgenError(path, line, "unterminated comment")
            body = text[i + 2:end]
            tokens.append(Token("comment", body, line))
            line += body.count("\n")
            i = end + 2
            at_line_start = False
            continue
        if text.startswith("//", i):
            raise RpcgenError(path, line, "'//' comments are not supported: use /* */")
        if c in "%#" and at_line_start:
            raise RpcgenError(path, line,
                              f"'{c}' lines (passthrough or preprocessor) are not supported")
        at_line_start = False
        m = IDENT_RE.match(text, i)
        if m:
            tokens.append(Token("id", m.group(0), line))
            i = m.end()
            continue
        m = NUMBER_RE.match(text, i)
        if m:
            end = m.end()
            if end < n and (text[end].isalnum() or text[end] == "_"):
                raise RpcgenError(path, line, f"malformed number near '{text[i:end + 1]}'")
            tokens.append(Token("num", m.group(0), line))
            i = end
            continue
        if c in PUNCT:
            tokens.append(Token("punct", c, line))
            i += 1
            continue
        raise RpcgenError(path, line, f"unexpected character '{c}'")
    tokens.append(Token("eof", "", line))
    return tokens


# ---------------------------------------------------------------- model

class Value:
    """A number or the name of a const / enum value (resolved later)."""

    def __init__(self, line, number=None, text=None, name=None):
        self.line = line
        self.number = number      # int when literal
        self.text = text          # C spelling of the literal
        self.name = name          # identifier when symbolic


class TypeRef:
    def __init__(self, line, base=None, name=None, keyword=None):
        self.line = line
        self.base = base          # "int", "uint", ... for built-in types
        self.name = name          # .x name of a defined type
        self.keyword = keyword    # "struct"/"union"/"enum" written before it
        self.defn = None          # resolved definition


class Decl:
    # kind: "simple", "fixed", "var", "optional", "void"; type None for
    # opaque and string (see .special)
    def __init__(self, line, kind, name=None, type_=None, special=None, size=None):
        self.line = line
        self.kind = kind
        self.name = name
        self.type = type_
        self.special = special    # "opaque" or "string" or None
        self.size = size          # Value, or None for "<>"


class Definition:
    def __init__(self, what, name, line):
        self.what = what          # "const", "typedef", "struct", "union", "enum"
        self.name = name
        self.line = line


class Const(Definition):
    def __init__(self, name, line, value):
        super().__init__("const", name, line)
        self.value = value


class Typedef(Definition):
    def __init__(self, name, line, decl):
        super().__init__("typedef", name, line)
        self.decl = decl


class Struct(Definition):
    def __init__(self, name, line, members):
        super().__init__("struct", name, line)
        self.members = members


class Union(Definition):
    def __init__(self, name, line, disc, arms, default):
        super().__init__("union", name, line)
        self.disc = disc
        self.arms = arms          # [([Value], Decl)]
        self.default = default    # Decl or None


class EnumEntry:
    def __init__(self, name, line, value, annotations):
        self.name = name
        self.line = line
        self.value = value
        self.annotations = annotations


class Enum(Definition):
    def __init__(self, name, line, entries):
        super().__init__("enum", name, line)
        self.entries = entries


# ---------------------------------------------------------------- parser

ANNOTATIONS = ("readonly", "preopen", "message")
ANNOTATION_RE = re.compile(r"@([A-Za-z_][A-Za-z0-9_-]*)")


class Parser:
    def __init__(self, path, tokens):
        self.path = path
        self.all = tokens
        self.pos = 0

    def err(self, line, msg):
        return RpcgenError(self.path, line, msg)

    def skip_comments(self):
        while self.all[self.pos].kind == "comment":
            self.pos += 1

    def peek(self):
        self.skip_comments()
        return self.all[self.pos]

    def next(self):
        self.skip_comments()
        tok = self.all[self.pos]
        self.pos += 1
        return tok

    def describe(self, tok):
        return "end of file" if tok.kind == "eof" else f"'{tok.text}'"

    def expect(self, text):
        tok = self.next()
        if tok.text != text or tok.kind not in ("punct", "id"):
            raise self.err(tok.line, f"expected '{text}', found {self.describe(tok)}")
        return tok

    def accept(self, text):
        tok = self.peek()
        if tok.kind in ("punct", "id") and tok.text == text:
            self.pos += 1
            return True
        return False

    def ident(self, what):
        tok = self.next()
        if tok.kind != "id":
            raise self.err(tok.line, f"expected {what}, found {self.describe(tok)}")
        if tok.text in KEYWORDS:
            raise self.err(tok.line, f"'{tok.text}' is a keyword, not {what}")
        return tok

    def value(self):
        tok = self.next()
        neg = False
        if tok.kind == "punct" and tok.text == "-":
            neg = True
            tok = self.next()
            if tok.kind != "num":
                raise self.err(tok.line, f"expected a number after '-', found {self.describe(tok)}")
        if tok.kind == "num":
            text = tok.text
            if text.lower().startswith("0x"):
                number = int(text, 16)
            elif len(text) > 1 and text.startswith("0"):
                if not re.fullmatch(r"[0-7]+", text):
                    raise self.err(tok.line, f"malformed octal number '{text}'")
                number = int(text, 8)
            else:
                number = int(text, 10)
            if neg:
                number = -number
                text = "-" + text
            return Value(tok.line, number=number, text=text)
        if tok.kind == "id" and tok.text not in KEYWORDS - {"TRUE", "FALSE"}:
            return Value(tok.line, name=tok.text)
        raise self.err(tok.line, f"expected a number or a constant, found {self.describe(tok)}")

    def parse(self):
        defs = []
        while self.peek().kind != "eof":
            defs.append(self.definition())
        return defs

    def definition(self):
        tok = self.next()
        if tok.kind != "id":
            raise self.err(tok.line, f"expected a definition, found {self.describe(tok)}")
        if tok.text == "const":
            name = self.ident("a constant name")
            self.expect("=")
            val = self.value()
            self.expect(";")
            return Const(name.text, name.line, val)
        if tok.text == "typedef":
            decl = self.declaration(in_union=False)
            self.expect(";")
            return Typedef(decl.name, decl.line, decl)
        if tok.text == "struct":
            name = self.ident("a struct name")
            self.expect("{")
            members = []
            while not self.accept("}"):
                members.append(self.declaration(in_union=False))
                self.expect(";")
            self.expect(";")
            if not members:
                raise self.err(name.line, f"struct '{name.text}' has no members")
            return Struct(name.text, name.line, members)
        if tok.text == "union":
            return self.union()
        if tok.text == "enum":
            return self.enum()
        if tok.text == "program":
            raise self.err(tok.line, "program definitions are not supported: "
                           "declare the program and version numbers as consts")
        raise self.err(tok.line, f"expected const, typedef, struct, union or enum, "
                       f"found {self.describe(tok)}")

    def union(self):
        name = self.ident("a union name")
        self.expect("switch")
        self.expect("(")
        disc = self.declaration(in_union=False)
        self.expect(")")
        self.expect("{")
        arms = []
        default = None
        while True:
            tok = self.peek()
            if tok.kind == "punct" and tok.text == "}":
                self.next()
                break
            if self.accept("case"):
                values = [self.value()]
                self.expect(":")
                while self.accept("case"):
                    values.append(self.value())
                    self.expect(":")
                decl = self.declaration(in_union=True)
                self.expect(";")
                arms.append((values, decl))
            elif self.accept("default"):
                if default is not None:
                    raise self.err(tok.line, f"union '{name.text}' has two default arms")
                self.expect(":")
                default = self.declaration(in_union=True)
                self.expect(";")
            else:
                raise self.err(tok.line, f"expected 'case', 'default' or '}}', "
                               f"found {self.describe(tok)}")
        self.expect(";")
        if not arms:
            raise self.err(name.line, f"union '{name.text}' has no case arms")
        return Union(name.text, name.line, disc, arms, default)

    def enum(self):
        name = self.ident("an enum name")
        self.expect("{")
        entries = []
        while True:
            tok = self.peek()
            if tok.kind == "punct" and tok.text == "}":
                self.next()
                break
            ent = self.ident("an enum value name")
            if not self.accept("="):
                raise self.err(ent.line, f"enum value '{ent.text}' needs an explicit '= value'")
            val = self.value()
            vline = self.all[self.pos - 1].line
            # Annotations: comments that start on the line of the value,
            # before or after its comma.
            annotations = []
            last = True
            while True:
                tok = self.all[self.pos]
                if tok.kind == "comment":
                    names = ANNOTATION_RE.findall(tok.text)
                    if tok.line == vline:
                        annotations.extend((a, tok.line) for a in names)
                    elif names:
                        raise self.err(tok.line, "an annotation comment must be on the "
                                       "line of the entry it annotates")
                    self.pos += 1
                elif tok.kind == "punct" and tok.text == "," and last:
                    last = False
                    self.pos += 1
                else:
                    break
            entries.append(EnumEntry(ent.text, ent.line, val, annotations))
            if last:
                self.expect("}")
                break
        self.expect(";")
        if not entries:
            raise self.err(name.line, f"enum '{name.text}' has no values")
        return Enum(name.text, name.line, entries)

    def type_spec(self):
        tok = self.next()
        if tok.kind != "id":
            raise self.err(tok.line, f"expected a type, found {self.describe(tok)}")
        t = tok.text
        if t == "unsigned":
            nxt = self.peek()
            if nxt.kind == "id" and nxt.text in ("int", "hyper", "char", "short"):
                self.next()
                return TypeRef(tok.line, base={"int": "uint", "hyper": "uhyper",
                                               "char": "uchar", "short": "ushort"}[nxt.text])
            if nxt.kind == "id" and nxt.text == "long":
                raise self.err(nxt.line, "'long' is not supported: use int (4 bytes) or hyper (8)")
            return TypeRef(tok.line, base="uint")
        if t in ("int", "hyper", "double", "bool", "char", "short"):
            return TypeRef(tok.line, base=t)
        if t == "long":
            raise self.err(tok.line, "'long' is not supported: use int (4 bytes) or hyper (8)")
        if t in ("float", "quadruple"):
            raise self.err(tok.line, f"'{t}' is not supported")
        if t in ("struct", "union", "enum"):
            nxt = self.peek()
            if nxt.kind == "punct" and nxt.text == "{":
                raise self.err(nxt.line, f"inline {t} definitions are not supported: "
                               "define the type on its own and name it")
            name = self.ident(f"a {t} name")
            return TypeRef(tok.line, name=name.text, keyword=t)
        if t in KEYWORDS:
            raise self.err(tok.line, f"'{t}' cannot be used as a type here")
        return TypeRef(tok.line, name=t)

    def array_suffix(self):
        """Returns ("fixed", Value) / ("var", Value|None) / (None, None)."""
        if self.accept("["):
            size = self.value()
            self.expect("]")
            return "fixed", size
        if self.accept("<"):
            if self.accept(">"):
                return "var", None
            size = self.value()
            self.expect(">")
            return "var", size
        return None, None

    def declaration(self, in_union):
        tok = self.peek()
        if tok.kind == "id" and tok.text == "void":
            self.next()
            if not in_union:
                raise self.err(tok.line, "'void' is only allowed as a union arm")
            return Decl(tok.line, "void")
        if tok.kind == "id" and tok.text in ("opaque", "string"):
            self.next()
            name = self.ident("a name")
            shape, size = self.array_suffix()
            if tok.text == "opaque" and shape is None:
                raise self.err(name.line, f"opaque '{name.text}' needs a size: "
                               f"{name.text}[N] or {name.text}<N>")
            if tok.text == "string" and shape != "var":
                raise self.err(name.line, f"string '{name.text}' needs a limit: "
                               f"{name.text}<N> or {name.text}<>")
            return Decl(name.line, shape, name=name.text, special=tok.text, size=size)
        type_ = self.type_spec()
        if self.accept("*"):
            name = self.ident("a name")
            return Decl(name.line, "optional", name=name.text, type_=type_)
        name = self.ident("a name")
        shape, size = self.array_suffix()
        return Decl(name.line, shape or "simple", name=name.text, type_=type_, size=size)


KEYWORDS = {
    "bool", "case", "const", "default", "double", "quadruple", "enum", "float",
    "hyper", "int", "opaque", "string", "struct", "switch", "typedef", "union",
    "unsigned", "void", "program", "version", "char", "short", "long",
    "TRUE", "FALSE",
}

C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
    "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned",
    "void", "volatile", "while", "_Bool", "_Complex", "_Imaginary", "bool",
    "true", "false",
}

# .x base type -> (C type, primitive)
BASE = {
    "int": ("gint32", "vgmXdrInt"),
    "uint": ("guint32", "vgmXdrUInt"),
    "hyper": ("gint64", "vgmXdrHyper"),
    "uhyper": ("guint64", "vgmXdrUHyper"),
    "double": ("double", "vgmXdrDouble"),
    "bool": ("gint32", "vgmXdrBool"),
    "char": ("char", "vgmXdrChar"),
    "uchar": ("guint8", "vgmXdrUChar"),
    "short": ("gint16", "vgmXdrShort"),
    "ushort": ("guint16", "vgmXdrUShort"),
}
# The static element function the generated code defines for a base type.
BASE_ELEM = {b: "xdrElem" + prim[len("vgmXdr"):] for b, (_, prim) in BASE.items()}


# ---------------------------------------------------------------- names

def camel(name):
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


class Names:
    def __init__(self, ns):
        self.ns = ns                          # "remote"
        self.NS = ns.upper()                  # "REMOTE"
        self.Ns = camel(ns)                   # "Remote"

    def ctype(self, name):
        return "Vgm" + camel(name)

    def fn(self, name):
        return "vgm" + self.Ns + "Xdr" + camel(name[len(self.ns) + 1:])

    def const(self, name):
        return "VGM_" + name


# ---------------------------------------------------------------- checker

MAX_U32 = 0xFFFFFFFF


class Protocol:
    def __init__(self, path, defs):
        self.path = path
        self.defs = defs
        self.consts = {}          # NAME -> Const
        self.enum_values = {}     # NAME -> (Enum, int)
        self.types = {}           # name -> Definition
        self.names = None
        self.procs = []           # filled by check_procedures

    def err(self, line, msg):
        return RpcgenError(self.path, line, msg)

    # -- values
    def const_value(self, val, what):
        """Integer of a Value usable as a size or const (consts only)."""
        if val.name is None:
            return val.number
        if val.name in self.consts:
            return self.consts[val.name].resolved
        if val.name in self.enum_values:
            raise self.err(val.line, f"{what} must be a number or a const, "
                           f"not the enum value '{val.name}'")
        raise self.err(val.line, f"unknown constant '{val.name}' in {what}")

    def case_value(self, val):
        if val.name is None:
            return val.number
        if val.name == "TRUE":
            return 1
        if val.name == "FALSE":
            return 0
        if val.name in self.consts:
            return self.consts[val.name].resolved
        if val.name in self.enum_values:
            return self.enum_values[val.name][1]
        raise self.err(val.line, f"unknown constant '{val.name}' in a case label")

    def c_value(self, val):
        if val.name is None:
            text = val.text
            if val.number < 0:
                return f"({text})"
            if val.number > 0x7FFFFFFF:
                return text + ("U" if val.number <= MAX_U32 else "ULL")
            return text
        if val.name in ("TRUE", "FALSE"):
            return val.name
        return self.names.const(val.name)

    def check_size(self, decl, what):
        if decl.size is None:
            return
        n = self.const_value(decl.size, what)
        if decl.kind == "fixed" and n <= 0:
            raise self.err(decl.line, f"the size of '{decl.name}' must be positive, not {n}")
        if n < 0 or n > MAX_U32:
            raise self.err(decl.line, f"the limit of '{decl.name}' must be 0 to {MAX_U32}, not {n}")

    # -- passes
    def check(self):
        if not self.defs:
            raise self.err(1, "the file defines nothing")
        first = self.defs[0]
        m = re.match(r"([A-Za-z][A-Za-z0-9]*)_", first.name)
        if not m:
            raise self.err(first.line, f"'{first.name}' does not start with a namespace "
                           "prefix such as 'remote_' or 'REMOTE_'")
        self.names = Names(m.group(1).lower())
        ns, NS = self.names.ns, self.names.NS
        type_re = re.compile(rf"{ns}(_[a-z0-9]+)+")
        value_re = re.compile(rf"{NS}(_[A-Z0-9]+)+")
        seen_c = {}

        def claim(cname, line, what):
            if cname in seen_c:
                raise self.err(line, f"{what} gives the C name '{cname}', "
                               f"already used on line {seen_c[cname]}")
            seen_c[cname] = line

        for d in self.defs:
            if d.what == "const":
                if not value_re.fullmatch(d.name):
                    raise self.err(d.line, f"constant '{d.name}' must be named {NS}_... "
                                   "(upper case, one namespace per file)")
                if d.name in self.consts or d.name in self.enum_values:
                    raise self.err(d.line, f"'{d.name}' is defined twice")
                d.resolved = self.const_value(d.value, f"constant '{d.name}'")
                claim(self.names.const(d.name), d.line, f"constant '{d.name}'")
                self.consts[d.name] = d
                continue
            if not type_re.fullmatch(d.name):
                raise self.err(d.line, f"type '{d.name}' must be named {ns}_... "
                               "(lower case words joined by single '_', one namespace per file)")
            if d.name in self.types:
                raise self.err(d.line, f"type '{d.name}' is defined twice "
                               f"(first on line {self.types[d.name].line})")
            claim(self.names.ctype(d.name), d.line, f"type '{d.name}'")
            claim(self.names.fn(d.name), d.line, f"type '{d.name}'")
            self.types[d.name] = d
            if d.what == "enum":
                seen_values = {}
                for e in d.entries:
                    if not value_re.fullmatch(e.name):
                        raise self.err(e.line, f"enum value '{e.name}' must be named {NS}_...")
                    if e.name in self.consts or e.name in self.enum_values:
                        raise self.err(e.line, f"'{e.name}' is defined twice")
                    v = self.case_value(e.value)
                    if v < -0x80000000 or v > 0x7FFFFFFF:
                        raise self.err(e.line, f"enum value '{e.name}' = {v} does not fit an int")
                    if v in seen_values:
                        raise self.err(e.line, f"enum value '{e.name}' repeats the value {v} "
                                       f"of '{seen_values[v]}'")
                    seen_values[v] = e.name
                    claim(self.names.const(e.name), e.line, f"enum value '{e.name}'")
                    self.enum_values[e.name] = (d, v)
                    if e.annotations and d.name != f"{ns}_procedure":
                        raise self.err(e.line, f"annotations only apply to the entries of "
                                       f"enum {ns}_procedure")
                    for a, line in e.annotations:
                        if a not in ANNOTATIONS:
                            raise self.err(line, f"unknown annotation '@{a}' (known: "
                                           f"{', '.join('@' + x for x in ANNOTATIONS)})")
            elif d.what == "typedef":
                self.check_decl(d.decl, d, allow_void=False)
            elif d.what == "struct":
                names = set()
                for mem in d.members:
                    self.check_decl(mem, d, allow_void=False)
                    if mem.name in names:
                        raise self.err(mem.line, f"member '{mem.name}' appears twice in '{d.name}'")
                    names.add(mem.name)
            elif d.what == "union":
                self.check_union(d)

    def resolve_type(self, t, user, by_value):
        if t.base is not None:
            return
        if t.name in ("TRUE", "FALSE") or t.name in self.consts:
            raise self.err(t.line, f"'{t.name}' is a constant, not a type")
        defn = self.types.get(t.name)
        if defn is None:
            # A later definition is fine where C needs only a pointer.
            later = [d for d in self.defs if d.name == t.name and d.what != "const"]
            if later and not by_value and later[0].what in ("struct", "union"):
                defn = later[0]
            elif later:
                raise self.err(t.line, f"type '{t.name}' is used before its definition on "
                               f"line {later[0].line} (only an optional object or a "
                               "variable-length array may name a later struct or union)")
            else:
                raise self.err(t.line, f"unknown type '{t.name}'")
        if t.keyword and defn.what != t.keyword:
            raise self.err(t.line, f"'{t.name}' is a {defn.what}, not a {t.keyword}")
        if defn is user and by_value:
            raise self.err(t.line, f"'{t.name}' contains itself (use an optional object)")
        t.defn = defn

    def check_decl(self, decl, user, allow_void):
        if decl.kind == "void":
            if not allow_void:
                raise self.err(decl.line, "'void' is only allowed as a union arm")
            return
        if decl.name in C_KEYWORDS:
            raise self.err(decl.line, f"'{decl.name}' is a C keyword and cannot name a member")
        if decl.special is None:
            by_value = decl.kind in ("simple", "fixed")
            self.resolve_type(decl.type, user, by_value)
        self.check_size(decl, f"the size of '{decl.name}'")

    def check_union(self, u):
        disc = u.disc
        if disc.kind != "simple" or disc.special is not None:
            raise self.err(disc.line, f"the discriminant of '{u.name}' must be a plain "
                           "int, unsigned int, bool or enum")
        self.resolve_type(disc.type, u, True)
        t = disc.type
        if not (t.base in ("int", "uint", "bool") or
                (t.defn is not None and t.defn.what == "enum")):
            raise self.err(disc.line, f"the discriminant of '{u.name}' must be int, "
                           "unsigned int, bool or an enum")
        if disc.name == "u":
            raise self.err(disc.line, "a union discriminant cannot be named 'u' "
                           "(the arms live in .u)")
        seen = {}
        names = set()
        for values, decl in u.arms:
            for v in values:
                n = self.case_value(v)
                if n in seen:
                    raise self.err(v.line, f"case {n} appears twice in '{u.name}' "
                                   f"(first on line {seen[n]})")
                seen[n] = v.line
            self.check_decl(decl, u, allow_void=True)
            if decl.kind != "void":
                if decl.name in names:
                    raise self.err(decl.line, f"arm '{decl.name}' appears twice in '{u.name}'")
                names.add(decl.name)
        if u.default is not None:
            self.check_decl(u.default, u, allow_void=True)
            if u.default.kind != "void" and u.default.name in names:
                raise self.err(u.default.line, f"arm '{u.default.name}' appears twice in '{u.name}'")

    def check_procedures(self):
        ns, NS = self.names.ns, self.names.NS
        enum = self.types.get(f"{ns}_procedure")
        if enum is None or enum.what != "enum":
            raise self.err(1, f"--dispatch needs an enum named {ns}_procedure")
        prefix = f"{NS}_PROC_"
        claimed = set()
        for e in enum.entries:
            if not e.name.startswith(prefix):
                raise self.err(e.line, f"procedure '{e.name}' must be named {prefix}...")
            short = e.name[len(prefix):]
            if short in ("READONLY", "PREOPEN", "MESSAGE"):
                raise self.err(e.line, f"procedure name '{e.name}' collides with a flag name")
            lower = short.lower()
            flags = set()
            for a, line in e.annotations:
                if a not in ANNOTATIONS:
                    raise self.err(line, f"unknown annotation '@{a}' "
                                   f"(known: {', '.join('@' + x for x in ANNOTATIONS)})")
                flags.add(a)

            def find(suffix):
                d = self.types.get(f"{ns}_{lower}_{suffix}")
                if d is not None and d.what == "enum":
                    raise self.err(d.line, f"'{d.name}' must be a struct, union or typedef")
                if d is not None:
                    claimed.add(d.name)
                return d

            args, ret, msg = find("args"), find("ret"), find("msg")
            if "message" in flags:
                if args is not None or ret is not None:
                    raise self.err(e.line, f"message procedure '{e.name}' takes its payload "
                                   f"from {ns}_{lower}_msg, not _args or _ret")
                if msg is None:
                    raise self.err(e.line, f"message procedure '{e.name}' needs a type "
                                   f"{ns}_{lower}_msg")
                args = msg
                if flags & {"readonly", "preopen"}:
                    raise self.err(e.line, f"message procedure '{e.name}' is never "
                                   "dispatched: @readonly and @preopen do not apply")
            elif msg is not None:
                raise self.err(msg.line, f"'{msg.name}' is the payload of a message: "
                               f"mark '{e.name}' with @message")
            self.procs.append({
                "name": e.name, "short": short, "lower": lower,
                "number": self.enum_values[e.name][1], "line": e.line,
                "args": args, "ret": ret, "flags": flags,
            })
        for d in self.defs:
            if d.what in ("struct", "union", "typedef") and \
               re.search(r"_(args|ret|msg)$", d.name) and d.name not in claimed:
                raise self.err(d.line, f"type '{d.name}' matches no procedure of "
                               f"enum {ns}_procedure")
        self.procs.sort(key=lambda p: p["number"])


# ---------------------------------------------------------------- C output

def wrap_call(head, params, tail, width=80):
    """head + comma-joined params + tail, wrapped under the '(' if long."""
    line = head + ", ".join(params) + tail
    if len(line) <= width:
        return [line]
    out = []
    cur = head
    pad = " " * len(head)
    for i, prm in enumerate(params):
        piece = prm + ("," if i < len(params) - 1 else tail)
        if cur.strip() and len(cur) + len(piece) + 1 > width and cur != head:
            out.append(cur.rstrip())
            cur = pad
        cur += piece + " "
    out.append(cur.rstrip())
    return out


class Emitter:
    def __init__(self, proto, header_path, source_path, in_path, dispatch):
        self.p = proto
        self.n = proto.names
        self.header_path = header_path
        self.source_path = source_path
        self.in_name = os.path.basename(in_path)
        self.dispatch = dispatch
        self.elems = set()        # base types needing an element function

    # -- C spellings
    def ctype(self, t):
        if t.base is not None:
            return BASE[t.base][0]
        return self.n.ctype(t.defn.name)

    def elem_fn(self, t):
        if t.base is not None:
            self.elems.add(t.base)
            return BASE_ELEM[t.base]
        return self.n.fn(t.defn.name)

    def call_fn(self, t):
        if t.base is not None:
            return BASE[t.base][1]
        return self.n.fn(t.defn.name)

    def limit(self, decl):
        return "G_MAXUINT32" if decl.size is None else self.p.c_value(decl.size)

    def c_decl(self, decl, name):
        """The C declaration of @decl under @name (no trailing ';')."""
        k = decl.kind
        if decl.special == "string":
            return f"char *{name}"
        if decl.special == "opaque":
            if k == "fixed":
                return f"guint8 {name}[{self.p.c_value(decl.size)}]"
            return f"struct {{ guint32 len; guint8 *val; }} {name}"
        ct = self.ctype(decl.type)
        if k == "simple":
            return f"{ct} {name}"
        if k == "fixed":
            return f"{ct} {name}[{self.p.c_value(decl.size)}]"
        if k == "var":
            return f"struct {{ guint32 len; {ct} *val; }} {name}"
        if k == "optional":
            return f"{ct} *{name}"
        raise AssertionError(k)

    def code(self, decl, lv, indent="    "):
        """Statements handling the object @lv (an lvalue) described by @decl.
        Returns (lines, needs_loop_index)."""
        def addr(x):
            return "obj" if x == "(*obj)" else "&" + x

        def check(call):
            return [f"{indent}if (!{call})", f"{indent}    return FALSE;"]

        k = decl.kind
        if decl.special == "string":
            return check(f"vgmXdrString(xdr, {addr(lv)}, {self.limit(decl)})"), False
        if decl.special == "opaque":
            if k == "fixed":
                return check(f"vgmXdrOpaqueFixed(xdr, {lv}, {self.p.c_value(decl.size)})"), False
            return check(f"vgmXdrOpaque(xdr, &{lv}.val, &{lv}.len, {self.limit(decl)})"), False
        t = decl.type
        if k == "simple":
            return check(f"{self.call_fn(t)}(xdr, {addr(lv)})"), False
        if k == "fixed":
            lines = [f"{indent}for (i = 0; i < {self.p.c_value(decl.size)}; i++) {{"]
            lines += [f"    {x}" for x in check(f"{self.call_fn(t)}(xdr, &{lv}[i])")]
            lines.append(f"{indent}}}")
            return lines, True
        if k == "var":
            return check(f"vgmXdrArray(xdr, (void **)&{lv}.val, &{lv}.len, {self.limit(decl)}, "
                         f"sizeof(*{lv}.val), {self.elem_fn(t)})"), False
        if k == "optional":
            return check(f"vgmXdrPointer(xdr, (void **){addr(lv)}, sizeof(*{lv}), "
                         f"{self.elem_fn(t)})"), False
        raise AssertionError(k)

    def function(self, d):
        ctype = self.n.ctype(d.name)
        fn = self.n.fn(d.name)
        body = []
        loop = False
        if d.what == "enum":
            body = [
                f"    {ctype} *obj = opaque;",
                "    gint32 v = (gint32)*obj;",
                "",
                "    if (!vgmXdrInt(xdr, &v))",
                "        return FALSE;",
                f"    *obj = ({ctype})v;",
                "    return TRUE;",
            ]
        elif d.what == "typedef":
            lines, loop = self.code(d.decl, "(*obj)")
            body = [f"    {ctype} *obj = opaque;", ""] + lines + ["    return TRUE;"]
        elif d.what == "struct":
            lines = []
            for m in d.members:
                ls, lp = self.code(m, f"obj->{m.name}")
                lines += ls
                loop = loop or lp
            body = [f"    {ctype} *obj = opaque;", ""] + lines + ["    return TRUE;"]
        elif d.what == "union":
            disc = d.disc
            dcall = f"{self.call_fn(disc.type)}(xdr, &obj->{disc.name})"
            lines = [
                "    /* Freeing needs the discriminant to find the arm: it goes last. */",
                f"    if (xdr->op != VGM_XDR_FREE && !{dcall})",
                "        return FALSE;",
                f"    switch (obj->{disc.name}) {{",
            ]

            def arm(decl):
                nonlocal loop
                if decl.kind == "void":
                    return ["        break;"]
                ls, lp = self.code(decl, f"obj->u.{decl.name}", indent="        ")
                loop = loop or lp
                return ls + ["        break;"]

            for values, decl in d.arms:
                for v in values:
                    lines.append(f"    case {self.p.c_value(v)}:")
                lines += arm(decl)
            lines.append("    default:")
            if d.default is not None:
                lines += arm(d.default)
            else:
                lines += [
                    f"        if (!vgmXdrBadDiscriminant(xdr, \"{d.name}\", "
                    f"(gint64)obj->{disc.name}))",
                    "            return FALSE;",
                    "        break;",
                ]
            lines += ["    }", f"    return xdr->op != VGM_XDR_FREE || {dcall};"]
            body = [f"    {ctype} *obj = opaque;", ""] + lines
        if loop:
            body.insert(1, "    guint i;")
        # A lone check: "if (!call) return FALSE; return TRUE;" -> "return call;"
        if (len(body) == 5 and body[2].startswith("    if (!") and
                body[3] == "        return FALSE;" and body[4] == "    return TRUE;"):
            body = body[:2] + [f"    return {body[2][len('    if (!'):-1]};"]
        return ["gboolean", f"{fn}(VgmXdr *xdr, void *opaque)", "{"] + body + ["}", ""]

    # -- header
    def type_definition(self, d):
        ctype = self.n.ctype(d.name)
        if d.what == "enum":
            out = [f"/* {d.name} */", "typedef enum {"]
            for e in d.entries:
                out.append(f"    {self.n.const(e.name)} = {self.p.c_value(e.value)},")
            out += [f"}} {ctype};", ""]
            return out
        if d.what == "typedef":
            return [f"/* {d.name} */", f"typedef {self.c_decl(d.decl, ctype)};", ""]
        if d.what == "struct":
            out = [f"/* {d.name} */", f"struct _{ctype} {{"]
            for m in d.members:
                out.append(f"    {self.c_decl(m, m.name)};")
            out += ["};", ""]
            return out
        if d.what == "union":
            out = [f"/* {d.name} */", f"struct _{ctype} {{",
                   f"    {self.c_decl(d.disc, d.disc.name)};"]
            arms = [decl for _, decl in d.arms]
            if d.default is not None:
                arms.append(d.default)
            arms = [a for a in arms if a.kind != "void"]
            if arms:
                out.append("    union {")
                for a in arms:
                    out.append(f"        {self.c_decl(a, a.name)};")
                out.append("    } u;")
            out += ["};", ""]
            return out
        raise AssertionError(d.what)

    def handler_proto(self, proc):
        n = self.n
        fname = f"vgm{n.Ns}Dispatch{camel(proc['lower'])}"
        params = [f"Vgm{n.Ns}Client *client"]
        if proc["args"] is not None:
            params.append(f"const {n.ctype(proc['args'].name)} *args")
        if proc["ret"] is not None:
            params.append(f"{n.ctype(proc['ret'].name)} *ret")
        params.append("GError **error")
        return fname, params

    def header(self):
        n = self.n
        p = self.p
        out = [
            "/* SPDX-License-Identifier: LGPL-2.1-or-later */",
            "/*",
            f" * {os.path.basename(self.header_path)}: the types of {self.in_name} and their XDR",
            " * functions (encode, decode and free through one VgmXdr stream).",
            " *",
            f" * Generated by scripts/rpcgen.py from {self.in_name}: do not edit.",
            " */",
            "#pragma once",
            "",
            "#include <glib.h>",
            "",
            "#include \"rpc/vgm_xdr.h\"",
            "",
        ]
        forwards = [d for d in p.defs if d.what in ("struct", "union")]
        if forwards:
            for d in forwards:
                ct = n.ctype(d.name)
                out.append(f"typedef struct _{ct} {ct};")
            out.append("")
        for d in p.defs:
            if d.what == "const":
                out.append(f"#define {n.const(d.name)} {p.c_value(d.value)}")
                continue
            if out[-1].startswith("#define"):
                out.append("")
            out += self.type_definition(d)
        if out[-1] != "":
            out.append("")
        for d in p.defs:
            if d.what != "const":
                out.append(f"gboolean {n.fn(d.name)}(VgmXdr *xdr, void *obj);")
        out.append("")
        if self.dispatch:
            Ns, NS = n.Ns, n.NS
            out += [
                "/* ---- dispatch ---- */",
                "",
                f"typedef struct _Vgm{Ns}Client Vgm{Ns}Client;   /* defined by the server side */",
                *wrap_call(f"typedef gboolean (*Vgm{Ns}DispatchFunc)(",
                           [f"Vgm{Ns}Client *client", "void *args", "void *ret",
                            "GError **error"], ");"),
                "",
                "typedef enum {",
                f"    VGM_{NS}_PROC_READONLY = 1 << 0,   /* allowed on a read-only connection */",
                f"    VGM_{NS}_PROC_PREOPEN = 1 << 1,    /* allowed before CONNECT_OPEN */",
                f"    VGM_{NS}_PROC_MESSAGE = 1 << 2,    /* sent by the server, never dispatched */",
                f"}} Vgm{Ns}ProcFlags;",
                "",
                "/* argsFn/retFn are NULL and the sizes 0 for a void payload. */",
                "typedef struct {",
                "    gint32 proc;",
                "    const char *name;",
                "    VgmXdrFunc argsFn;",
                "    gsize argsSize;",
                "    VgmXdrFunc retFn;",
                "    gsize retSize;",
                f"    Vgm{Ns}DispatchFunc dispatch;   /* NULL for a message */",
                "    unsigned int flags;",
                f"}} Vgm{Ns}ProcInfo;",
                "",
                "/* Every procedure, sorted by number. */",
                f"extern const Vgm{Ns}ProcInfo vgm{Ns}Procs[];",
                f"extern const gsize vgm{Ns}NProcs;",
                "/* The procedure numbered @proc, or NULL. */",
                f"const Vgm{Ns}ProcInfo *vgm{Ns}ProcFind(gint32 proc);",
                "",
                "/* The handlers the server defines, one per dispatched procedure. */",
            ]
            for proc in p.procs:
                if "message" in proc["flags"]:
                    continue
                fname, params = self.handler_proto(proc)
                flags = ", ".join(sorted(proc["flags"])) or "no flags"
                out.append(f"/* {proc['name']} = {proc['number']}: {flags} */")
                out += wrap_call(f"gboolean {fname}(", params, ");")
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"

    # -- source
    def source(self):
        n = self.n
        p = self.p
        body = []
        for d in p.defs:
            if d.what != "const":
                body += self.function(d)
        out = [
            "/* SPDX-License-Identifier: LGPL-2.1-or-later */",
            "/*",
            f" * {os.path.basename(self.source_path)}: the XDR functions of {self.in_name}"
            + (" and its dispatch table." if self.dispatch else "."),
            " *",
            f" * Generated by scripts/rpcgen.py from {self.in_name}: do not edit.",
            " */",
            f"#include \"{self.header_include()}\"",
            "",
        ]
        enums = [d for d in p.defs if d.what == "enum"]
        for d in enums:
            out.append(f"G_STATIC_ASSERT(sizeof({n.ctype(d.name)}) == sizeof(gint32));")
        if enums:
            out.append("")
        for base in sorted(self.elems):
            prim = BASE[base][1]
            out += [
                "static gboolean",
                f"{BASE_ELEM[base]}(VgmXdr *xdr, void *obj)",
                "{",
                f"    return {prim}(xdr, obj);",
                "}",
                "",
            ]
        out += body
        if self.dispatch:
            out += self.dispatch_source()
        return "\n".join(out).rstrip("\n") + "\n"

    def header_include(self):
        rel = os.path.relpath(os.path.abspath(self.header_path),
                              os.path.dirname(os.path.abspath(self.source_path)))
        return rel.replace(os.sep, "/")

    def dispatch_source(self):
        n = self.n
        Ns, NS = n.Ns, n.NS
        out = []
        for proc in self.p.procs:
            if "message" in proc["flags"]:
                continue
            fname = self.handler_proto(proc)[0]
            thunk = f"dispatch{camel(proc['lower'])}"
            a = "args" if proc["args"] is not None else "args G_GNUC_UNUSED"
            r = "ret" if proc["ret"] is not None else "ret G_GNUC_UNUSED"
            callargs = ["client"]
            if proc["args"] is not None:
                callargs.append("args")
            if proc["ret"] is not None:
                callargs.append("ret")
            callargs.append("error")
            out += ["static gboolean"]
            out += wrap_call(f"{thunk}(", [f"Vgm{Ns}Client *client", f"void *{a}",
                                           f"void *{r}", "GError **error"], ")")
            out += [
                "{",
                f"    return {fname}({', '.join(callargs)});",
                "}",
                "",
            ]
        out.append(f"const Vgm{Ns}ProcInfo vgm{Ns}Procs[] = {{")
        for proc in self.p.procs:
            def payload(d):
                if d is None:
                    return "NULL, 0"
                return f"{n.fn(d.name)}, sizeof({n.ctype(d.name)})"
            if "message" in proc["flags"]:
                disp = "NULL"
            else:
                disp = f"dispatch{camel(proc['lower'])}"
            flags = " | ".join(f"VGM_{NS}_PROC_{f.upper()}" for f in ANNOTATIONS
                               if f in proc["flags"]) or "0"
            out += [
                f"    {{ {n.const(proc['name'])}, \"{proc['name']}\",",
                f"      {payload(proc['args'])},",
                f"      {payload(proc['ret'])},",
                f"      {disp}, {flags} }},",
            ]
        out += [
            "};",
            f"const gsize vgm{Ns}NProcs = G_N_ELEMENTS(vgm{Ns}Procs);",
            "",
            f"const Vgm{Ns}ProcInfo *",
            f"vgm{Ns}ProcFind(gint32 proc)",
            "{",
            "    gsize lo = 0;",
            f"    gsize hi = G_N_ELEMENTS(vgm{Ns}Procs);",
            "",
            "    while (lo < hi) {",
            "        gsize mid = lo + (hi - lo) / 2;",
            "",
            f"        if (vgm{Ns}Procs[mid].proc == proc)",
            f"            return &vgm{Ns}Procs[mid];",
            f"        if (vgm{Ns}Procs[mid].proc < proc)",
            "            lo = mid + 1;",
            "        else",
            "            hi = mid;",
            "    }",
            "    return NULL;",
            "}",
            "",
        ]
        return out


# ---------------------------------------------------------------- main

def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description="C types and XDR functions from a .x file")
    ap.add_argument("--header", required=True, help="the C header to write")
    ap.add_argument("--source", required=True, help="the C source to write")
    ap.add_argument("--dispatch", action="store_true",
                    help="also emit the procedure table and handler declarations")
    ap.add_argument("input", help="the protocol description (.x)")
    opts = ap.parse_args(argv)

    try:
        try:
            with open(opts.input, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise RpcgenError(opts.input, 0, f"cannot read: {e}")
        defs = Parser(opts.input, tokenize(opts.input, text)).parse()
        proto = Protocol(opts.input, defs)
        proto.check()
        if opts.dispatch:
            proto.check_procedures()
        em = Emitter(proto, opts.header, opts.source, opts.input, opts.dispatch)
        source = em.source()      # first: it records the element functions
        header = em.header()
    except RpcgenError as e:
        print(e, file=sys.stderr)
        return 1
    write_if_changed(opts.header, header)
    write_if_changed(opts.source, source)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
