/* lindperf-json.h: a small JSON reader for lindperf's command-line tools.
 *
 * It reads a whole JSON text (RFC 8259) into a tree of values that the caller walks
 * directly. It exists so that lindperf-compare and lindperf-plot depend on nothing but
 * libc. It is not part of the installed library; lindperf.h does not use it.
 *
 * Use:
 *     lindperf_json_error err;
 *     lindperf_json *doc = lindperf_json_read_file("run.json", &err);
 *     if (!doc) {
 *         fprintf(stderr, "lindperf: run.json:%zu:%zu: %s\n", err.line, err.column, err.message);
 *         ...
 *     }
 *     const lindperf_json *unit = lindperf_json_get(doc, "unit");
 *     ...
 *     lindperf_json_free(doc);
 *
 * Contents
 *     the value tree ........... lindperf_json, lindperf_json_member, lindperf_json_type
 *     parsing .................. lindperf_json_parse, lindperf_json_read_file, lindperf_json_free
 *     lookups .................. lindperf_json_get, lindperf_json_type_name
 *
 * What it accepts
 *     The full JSON grammar: objects, arrays, strings with every escape including \uXXXX
 *     and surrogate pairs, numbers with fraction and exponent, true, false, null.
 *     Anything else is an error that names the line and column (both from 1) and the
 *     byte offset (from 0) where reading stopped.
 *     - Strings are decoded to UTF-8. \u0000 is kept, so a string may hold NUL bytes;
 *       `length` counts them. A lone surrogate escape (\uD800 alone) is kept as its
 *       three-byte encoding rather than rejected, because lindperf names may be any bytes.
 *       Raw bytes of 0x80 and above are copied as they are, without UTF-8 validation.
 *     - Numbers become doubles (strtod, so very large integers lose their last digits).
 *     - An object keeps its members in file order; a key that appears twice is kept
 *       twice, and lindperf_json_get returns the first.
 *     - Nesting deeper than LINDPERF_JSON_MAX_DEPTH is refused, so hostile input cannot
 *       exhaust the stack.
 *
 * API
 *     lindperf_json *lindperf_json_parse(const char *text, size_t length,
 *                                        lindperf_json_error *err);
 *         Parses text[0..length). NULL on error (err filled in) or when out of memory.
 *     lindperf_json *lindperf_json_read_file(const char *path, lindperf_json_error *err);
 *         Reads and parses a file; "-" is stdin. On a read error err->line is 0 and
 *         err->message holds strerror's text.
 *     void lindperf_json_free(lindperf_json *root);
 *         Frees a tree returned by one of the two above. NULL is fine.
 *     const lindperf_json *lindperf_json_get(const lindperf_json *object, const char *key);
 *         The value of `key` in an object; NULL when absent or when `object` is not one.
 *     const char *lindperf_json_type_name(lindperf_json_type type);
 *         "null", "false", ..., for error messages.
 *
 * Every function is static (the public ones static inline, so a program may leave some
 * unused); include this header in each program that uses it.
 */
#ifndef LINDPERF_JSON_H
#define LINDPERF_JSON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINDPERF_JSON_MAX_DEPTH 256

typedef enum {
    LINDPERF_JSON_NULL,
    LINDPERF_JSON_FALSE,
    LINDPERF_JSON_TRUE,
    LINDPERF_JSON_NUMBER,
    LINDPERF_JSON_STRING,
    LINDPERF_JSON_ARRAY,
    LINDPERF_JSON_OBJECT
} lindperf_json_type;

typedef struct lindperf_json lindperf_json;
typedef struct lindperf_json_member lindperf_json_member;

struct lindperf_json {
    lindperf_json_type type;
    size_t line;                    /* where the value starts, for the caller's messages */
    double number;                  /* NUMBER */
    char *string;                   /* STRING: NUL-terminated UTF-8 */
    size_t length;                  /* STRING: bytes, without the terminator */
    lindperf_json *items;           /* ARRAY: `count` values */
    lindperf_json_member *members;  /* OBJECT: `count` members in file order */
    size_t count;
};

struct lindperf_json_member {
    char *key;
    size_t key_length;
    lindperf_json value;
};

typedef struct {
    size_t line, column, offset;
    char message[96];
} lindperf_json_error;

typedef struct {
    const char *text;
    size_t length, pos;
    size_t line, line_start;        /* line number of `pos` and the offset it starts at */
    int depth;
    lindperf_json_error *err;
} lindperf_json__reader;

static int lindperf_json__value(lindperf_json__reader *r, lindperf_json *out);
static void lindperf_json__release(lindperf_json *v);

/* Records the first error only: the innermost failure is the one that explains. */
static int lindperf_json__fail(lindperf_json__reader *r, const char *message)
{
    lindperf_json_error *e = r->err;
    if (e && e->message[0] == '\0') {
        e->line = r->line;
        e->column = r->pos - r->line_start + 1;
        e->offset = r->pos;
        snprintf(e->message, sizeof e->message, "%s", message);
    }
    return -1;
}

static int lindperf_json__peek(const lindperf_json__reader *r)
{
    return r->pos < r->length ? (unsigned char)r->text[r->pos] : -1;
}

static void lindperf_json__skip_space(lindperf_json__reader *r)
{
    while (r->pos < r->length) {
        char c = r->text[r->pos];
        if (c == '\n') {
            r->line++;
            r->line_start = r->pos + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            return;
        }
        r->pos++;
    }
}

static int lindperf_json__literal(lindperf_json__reader *r, const char *word,
                                  lindperf_json_type type, lindperf_json *out)
{
    size_t n = strlen(word);
    if (r->length - r->pos < n || memcmp(r->text + r->pos, word, n) != 0)
        return lindperf_json__fail(r, "unexpected character; a value was expected here");
    r->pos += n;
    out->type = type;
    return 0;
}

static int lindperf_json__is_digit(int c) { return c >= '0' && c <= '9'; }

static int lindperf_json__number(lindperf_json__reader *r, lindperf_json *out)
{
    size_t start = r->pos;
    char small[64], *copy = small;

    if (lindperf_json__peek(r) == '-')
        r->pos++;
    if (lindperf_json__peek(r) == '0') {
        r->pos++;
    } else if (lindperf_json__is_digit(lindperf_json__peek(r))) {
        while (lindperf_json__is_digit(lindperf_json__peek(r)))
            r->pos++;
    } else {
        return lindperf_json__fail(r, "a number needs a digit here");
    }
    if (lindperf_json__peek(r) == '.') {
        r->pos++;
        if (!lindperf_json__is_digit(lindperf_json__peek(r)))
            return lindperf_json__fail(r, "a number needs a digit after '.'");
        while (lindperf_json__is_digit(lindperf_json__peek(r)))
            r->pos++;
    }
    if (lindperf_json__peek(r) == 'e' || lindperf_json__peek(r) == 'E') {
        r->pos++;
        if (lindperf_json__peek(r) == '+' || lindperf_json__peek(r) == '-')
            r->pos++;
        if (!lindperf_json__is_digit(lindperf_json__peek(r)))
            return lindperf_json__fail(r, "a number needs a digit in its exponent");
        while (lindperf_json__is_digit(lindperf_json__peek(r)))
            r->pos++;
    }

    /* strtod needs a terminated copy: the text is not ours, and strtod alone would also
     * accept forms JSON does not (hex, inf, a leading '+'). The span is already checked. */
    size_t n = r->pos - start;
    if (n >= sizeof small && !(copy = malloc(n + 1)))
        return lindperf_json__fail(r, "out of memory");
    memcpy(copy, r->text + start, n);
    copy[n] = '\0';
    out->type = LINDPERF_JSON_NUMBER;
    out->number = strtod(copy, NULL);
    if (copy != small)
        free(copy);
    return 0;
}

static int lindperf_json__hex4(lindperf_json__reader *r, unsigned *code)
{
    *code = 0;
    for (int i = 0; i < 4; i++) {
        int c = lindperf_json__peek(r);
        unsigned digit;
        if (c >= '0' && c <= '9')      digit = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') digit = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') digit = (unsigned)(c - 'A' + 10);
        else return lindperf_json__fail(r, "\\u needs four hexadecimal digits");
        *code = *code << 4 | digit;
        r->pos++;
    }
    return 0;
}

/* Writes code point `code` as UTF-8 at `out` and returns the number of bytes (1..4). */
static size_t lindperf_json__utf8(unsigned code, char *out)
{
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xC0 | code >> 6);
        out[1] = (char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (char)(0xE0 | code >> 12);
        out[1] = (char)(0x80 | (code >> 6 & 0x3F));
        out[2] = (char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | code >> 18);
    out[1] = (char)(0x80 | (code >> 12 & 0x3F));
    out[2] = (char)(0x80 | (code >> 6 & 0x3F));
    out[3] = (char)(0x80 | (code & 0x3F));
    return 4;
}

/* \uXXXX, with the 'u' already read. A high surrogate followed by a \u low surrogate is
 * one code point; any other surrogate stands for itself. */
static int lindperf_json__unicode_escape(lindperf_json__reader *r, unsigned *code)
{
    if (lindperf_json__hex4(r, code) != 0)
        return -1;
    if (*code < 0xD800 || *code > 0xDBFF)
        return 0;
    if (r->length - r->pos < 6 || r->text[r->pos] != '\\' || r->text[r->pos + 1] != 'u')
        return 0;
    size_t back = r->pos;
    unsigned low;
    r->pos += 2;
    if (lindperf_json__hex4(r, &low) != 0)
        return -1;
    if (low < 0xDC00 || low > 0xDFFF) {
        r->pos = back;              /* not a pair: the next escape is read on its own */
        return 0;
    }
    *code = 0x10000 + ((*code - 0xD800) << 10) + (low - 0xDC00);
    return 0;
}

/* Reads a string (the opening quote is at r->pos). Decoding never makes the text longer
 * (the longest case, \uXXXX to three bytes, shrinks six bytes to three), so the raw
 * length bounds the buffer. */
static int lindperf_json__string(lindperf_json__reader *r, char **out, size_t *out_length)
{
    size_t start = ++r->pos, end = start;
    while (end < r->length && r->text[end] != '"')
        end += r->text[end] == '\\' ? 2 : 1;

    char *s = malloc((end < r->length ? end : r->length) - start + 1);
    size_t n = 0;
    if (!s)
        return lindperf_json__fail(r, "out of memory");

    for (;;) {
        int c = lindperf_json__peek(r);
        if (c < 0) {
            free(s);
            return lindperf_json__fail(r, "the string is not closed; a '\"' is missing");
        }
        if (c == '"')
            break;
        if (c < 0x20) {
            free(s);
            return lindperf_json__fail(r, c == '\n'
                                              ? "a string cannot span lines; write \\n"
                                              : "a control character in a string must be escaped");
        }
        r->pos++;
        if (c != '\\') {
            s[n++] = (char)c;
            continue;
        }
        unsigned code;
        switch (lindperf_json__peek(r)) {
        case '"':  s[n++] = '"';  break;
        case '\\': s[n++] = '\\'; break;
        case '/':  s[n++] = '/';  break;
        case 'b':  s[n++] = '\b'; break;
        case 'f':  s[n++] = '\f'; break;
        case 'n':  s[n++] = '\n'; break;
        case 'r':  s[n++] = '\r'; break;
        case 't':  s[n++] = '\t'; break;
        case 'u':
            r->pos++;
            if (lindperf_json__unicode_escape(r, &code) != 0) {
                free(s);
                return -1;
            }
            n += lindperf_json__utf8(code, s + n);
            continue;
        default:
            free(s);
            return lindperf_json__fail(r, "unknown escape; JSON has "
                                          "\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
        }
        r->pos++;
    }
    r->pos++;
    s[n] = '\0';
    *out = s;
    *out_length = n;
    return 0;
}

/* Grows a vector of `size`-byte elements, doubling, until index `count` fits. */
static int lindperf_json__reserve(void **items, size_t *capacity, size_t count, size_t size)
{
    if (count < *capacity)
        return 0;
    size_t grown = *capacity ? *capacity : 4;
    while (grown <= count)
        grown *= 2;
    void *p = realloc(*items, grown * size);
    if (!p)
        return -1;
    *items = p;
    *capacity = grown;
    return 0;
}

static int lindperf_json__array(lindperf_json__reader *r, lindperf_json *out)
{
    size_t capacity = 0;
    out->type = LINDPERF_JSON_ARRAY;
    r->pos++;
    lindperf_json__skip_space(r);
    if (lindperf_json__peek(r) == ']') {
        r->pos++;
        return 0;
    }
    for (;;) {
        if (lindperf_json__reserve((void **)&out->items, &capacity, out->count,
                                   sizeof *out->items) != 0)
            return lindperf_json__fail(r, "out of memory");
        lindperf_json *item = &out->items[out->count];
        memset(item, 0, sizeof *item);
        out->count++;               /* counted before parsing, so a failure frees it too */
        if (lindperf_json__value(r, item) != 0)
            return -1;
        lindperf_json__skip_space(r);
        int c = lindperf_json__peek(r);
        r->pos++;
        if (c == ']')
            return 0;
        if (c != ',') {
            r->pos--;
            return lindperf_json__fail(r, "expected ',' or ']' after an array item");
        }
    }
}

static int lindperf_json__object(lindperf_json__reader *r, lindperf_json *out)
{
    size_t capacity = 0;
    out->type = LINDPERF_JSON_OBJECT;
    r->pos++;
    lindperf_json__skip_space(r);
    if (lindperf_json__peek(r) == '}') {
        r->pos++;
        return 0;
    }
    for (;;) {
        lindperf_json__skip_space(r);
        if (lindperf_json__peek(r) != '"')
            return lindperf_json__fail(r, "expected a '\"' that starts a member name");
        if (lindperf_json__reserve((void **)&out->members, &capacity, out->count,
                                   sizeof *out->members) != 0)
            return lindperf_json__fail(r, "out of memory");
        lindperf_json_member *m = &out->members[out->count];
        memset(m, 0, sizeof *m);
        out->count++;
        if (lindperf_json__string(r, &m->key, &m->key_length) != 0)
            return -1;
        lindperf_json__skip_space(r);
        if (lindperf_json__peek(r) != ':')
            return lindperf_json__fail(r, "expected ':' after a member name");
        r->pos++;
        if (lindperf_json__value(r, &m->value) != 0)
            return -1;
        lindperf_json__skip_space(r);
        int c = lindperf_json__peek(r);
        r->pos++;
        if (c == '}')
            return 0;
        if (c != ',') {
            r->pos--;
            return lindperf_json__fail(r, "expected ',' or '}' after an object member");
        }
    }
}

static int lindperf_json__value(lindperf_json__reader *r, lindperf_json *out)
{
    lindperf_json__skip_space(r);
    out->line = r->line;
    int c = lindperf_json__peek(r);
    if (c < 0)
        return lindperf_json__fail(r, "the text ends where a value was expected");
    if (c == '{' || c == '[') {
        if (r->depth >= LINDPERF_JSON_MAX_DEPTH)
            return lindperf_json__fail(r, "nested too deeply");
        r->depth++;
        int status = c == '{' ? lindperf_json__object(r, out) : lindperf_json__array(r, out);
        r->depth--;
        return status;
    }
    if (c == '"') {
        out->type = LINDPERF_JSON_STRING;
        return lindperf_json__string(r, &out->string, &out->length);
    }
    if (c == '-' || lindperf_json__is_digit(c))
        return lindperf_json__number(r, out);
    if (c == 't')
        return lindperf_json__literal(r, "true", LINDPERF_JSON_TRUE, out);
    if (c == 'f')
        return lindperf_json__literal(r, "false", LINDPERF_JSON_FALSE, out);
    if (c == 'n')
        return lindperf_json__literal(r, "null", LINDPERF_JSON_NULL, out);
    return lindperf_json__fail(r, "unexpected character; a value was expected here");
}

/* Frees what a value owns, not the value itself (it lives inside its parent's vector). */
static void lindperf_json__release(lindperf_json *v)
{
    free(v->string);
    for (size_t i = 0; v->items && i < v->count; i++)
        lindperf_json__release(&v->items[i]);
    for (size_t i = 0; v->members && i < v->count; i++) {
        free(v->members[i].key);
        lindperf_json__release(&v->members[i].value);
    }
    free(v->items);
    free(v->members);
}

static inline void lindperf_json_free(lindperf_json *root)
{
    if (!root)
        return;
    lindperf_json__release(root);
    free(root);
}

static inline lindperf_json *lindperf_json_parse(const char *text, size_t length,
                                                 lindperf_json_error *err)
{
    lindperf_json__reader r = {text, length, 0, 1, 0, 0, err};
    lindperf_json *root = calloc(1, sizeof *root);
    if (err)
        memset(err, 0, sizeof *err);
    if (!root) {
        lindperf_json__fail(&r, "out of memory");
        return NULL;
    }
    if (lindperf_json__value(&r, root) != 0) {
        lindperf_json_free(root);
        return NULL;
    }
    lindperf_json__skip_space(&r);
    if (r.pos < r.length) {
        lindperf_json__fail(&r, "more text follows the JSON value");
        lindperf_json_free(root);
        return NULL;
    }
    return root;
}

static inline lindperf_json *lindperf_json_read_file(const char *path, lindperf_json_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *text = NULL;
    size_t length = 0, capacity = 0;
    int read_errno = 0;

    if (err)
        memset(err, 0, sizeof *err);
    if (!f) {
        read_errno = errno;
    } else {
        for (;;) {
            if (lindperf_json__reserve((void **)&text, &capacity, length + 4096, 1) != 0) {
                read_errno = ENOMEM;
                break;
            }
            size_t got = fread(text + length, 1, capacity - length, f);
            length += got;
            if (got == 0) {
                if (ferror(f))
                    read_errno = errno ? errno : EIO;
                break;
            }
        }
        if (f != stdin)
            fclose(f);
    }
    if (read_errno) {
        if (err)
            snprintf(err->message, sizeof err->message, "%s", strerror(read_errno));
        free(text);
        return NULL;
    }
    lindperf_json *root = lindperf_json_parse(text ? text : "", length, err);
    free(text);
    return root;
}

static inline const lindperf_json *lindperf_json_get(const lindperf_json *object, const char *key)
{
    size_t n = strlen(key);
    if (!object || object->type != LINDPERF_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < object->count; i++)
        if (object->members[i].key_length == n && memcmp(object->members[i].key, key, n) == 0)
            return &object->members[i].value;
    return NULL;
}

static inline const char *lindperf_json_type_name(lindperf_json_type type)
{
    static const char *const names[] = {"null",     "false",    "true",     "a number",
                                        "a string", "an array", "an object"};
    return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "an unknown type";
}

#endif
