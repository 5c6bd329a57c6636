/* The header's JSON writer: escapes, UTF-8, awkward names and the real counters, each
 * checked by an RFC 8259 checker of its own (the tools' reader is tests/test_json_reader.c). */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include "report_fixture.h"

/* --- a JSON checker (RFC 8259), strict about UTF-8, so the JSON tests can fail */

static void json_ws(const unsigned char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

static int json_utf8(const unsigned char **p)
{
    const unsigned char *s = *p;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    *p += len;
    return 1;
}

static int json_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int json_string_ok(const unsigned char **p)
{
    if (**p != '"')
        return 0;
    (*p)++;
    while (**p != '"') {
        unsigned char c = **p;
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            c = *++*p;
            if (c == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!json_hex((*p)[i]))
                        return 0;
                *p += 5;
            } else if (c && strchr("\"\\/bfnrt", c)) {
                (*p)++;
            } else {
                return 0;
            }
        } else if (c >= 0x80) {
            if (!json_utf8(p))
                return 0;
        } else {
            (*p)++;
        }
    }
    (*p)++;
    return 1;
}

static int json_digits(const unsigned char **p)
{
    if (**p < '0' || **p > '9')
        return 0;
    while (**p >= '0' && **p <= '9')
        (*p)++;
    return 1;
}

static int json_number_ok(const unsigned char **p)
{
    if (**p == '-')
        (*p)++;
    if (**p == '0')
        (*p)++;
    else if (!json_digits(p))
        return 0;
    if (**p == '.') {
        (*p)++;
        if (!json_digits(p))
            return 0;
    }
    if (**p == 'e' || **p == 'E') {
        (*p)++;
        if (**p == '+' || **p == '-')
            (*p)++;
        if (!json_digits(p))
            return 0;
    }
    return 1;
}

static int json_value_ok(const unsigned char **p, int depth);

static int json_members_ok(const unsigned char **p, int depth, unsigned char close, int keyed)
{
    (*p)++;
    json_ws(p);
    if (**p == close) {
        (*p)++;
        return 1;
    }
    for (;;) {
        if (keyed) {
            if (!json_string_ok(p))
                return 0;
            json_ws(p);
            if (**p != ':')
                return 0;
            (*p)++;
            json_ws(p);
        }
        if (!json_value_ok(p, depth + 1))
            return 0;
        json_ws(p);
        if (**p == close) {
            (*p)++;
            return 1;
        }
        if (**p != ',')
            return 0;
        (*p)++;
        json_ws(p);
    }
}

static int json_value_ok(const unsigned char **p, int depth)
{
    if (depth > 64)
        return 0;
    switch (**p) {
    case '{': return json_members_ok(p, depth, '}', 1);
    case '[': return json_members_ok(p, depth, ']', 0);
    case '"': return json_string_ok(p);
    case 't': return strncmp((const char *)*p, "true", 4) == 0 ? (*p += 4, 1) : 0;
    case 'f': return strncmp((const char *)*p, "false", 5) == 0 ? (*p += 5, 1) : 0;
    case 'n': return strncmp((const char *)*p, "null", 4) == 0 ? (*p += 4, 1) : 0;
    default: return json_number_ok(p);
    }
}

static int json_valid(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    json_ws(&p);
    if (!json_value_ok(&p, 0))
        return 0;
    json_ws(&p);
    return *p == 0;
}

static void assert_json_valid(const char *text)
{
    if (!json_valid(text))
        fail_msg("not valid JSON:\n%s", text);
}

/* --- the writer */

static void json_escapes_quotes_backslashes_and_control_characters(void **state)
{
    (void)state;
    char *text = json_string("say \"hi\" \\ back");
    assert_string_equal(text, "\"say \\\"hi\\\" \\\\ back\"");
    free(text);
    text = json_string("tab\tnew\nline\rbell\x01" "del\x7f" "esc\x1b");
    assert_string_equal(text, "\"tab\\u0009new\\u000aline\\u000dbell\\u0001del\\u007fesc\\u001b\"");
    free(text);
    text = json_string(NULL);
    assert_string_equal(text, "null");
    free(text);
}

static void json_keeps_valid_utf8_and_escapes_invalid_bytes(void **state)
{
    (void)state;
    char *text = json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_string_equal(text, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    free(text);
    const struct { const char *in, *out; } invalid[] = {
        {"bad\xff", "\"bad\\u00ff\""},
        {"lone\x80", "\"lone\\u0080\""},
        {"cut\xc3(", "\"cut\\u00c3(\""},
        {"overlong\xc0\xaf", "\"overlong\\u00c0\\u00af\""},
        {"surrogate\xed\xa0\x80", "\"surrogate\\u00ed\\u00a0\\u0080\""},
        {"too_big\xf4\x90\x80\x80", "\"too_big\\u00f4\\u0090\\u0080\\u0080\""},
        {"short\xe2\x82", "\"short\\u00e2\\u0082\""},
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        text = json_string(invalid[i].in);
        assert_string_equal(text, invalid[i].out);
        assert_json_valid(text);
        free(text);
    }
}

static void json_of_awkward_names_is_well_formed(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "m\"q", "m\"q::quote\"back\\slash", 3, 10);
    hand_row(&h, "m\"q", "m\"q::control\x01\t\n", 1, 5);
    hand_row(&h, "bytes", "bytes::bad\xff\xc3(\xed\xa0\x80", 2, 8);
    hand_row(&h, "bytes", "bytes::never", 0, 0);
    char *text = written(lindperf__json_snapshot, &h.s);
    assert_json_valid(text);
    assert_non_null(strstr(text,
        "{\"module\": \"m\\\"q\", \"name\": \"m\\\"q::quote\\\"back\\\\slash\", \"calls\": 3, "
        "\"total\": 10, \"saturated\": false, \"avg\": 3.333, \"min\": null, \"p50\": null, "
        "\"p99\": null, \"max\": null, \"empty_scope\": 20.000, \"parent\": null, "
        "\"samples\": [], \"recursed\": false, \"outer_calls\": 3}"));
    assert_non_null(strstr(text, "\"name\": \"m\\\"q::control\\u0001\\u0009\\u000a\""));
    assert_non_null(strstr(text, "\"name\": \"bytes::bad\\u00ff\\u00c3(\\u00ed\\u00a0\\u0080\""));
    assert_null(strstr(text, "bytes::never"));
    assert_non_null(strstr(text, "\"timer\": \"clock\""));
    assert_non_null(strstr(text, "\"unit\": \"ns\""));
    free(text);
}

static void json_of_the_real_counters_is_well_formed(void **state)
{
    (void)state;
    record("alpha::parse", 2);
    record("beta::one", 1);
    char *text = written_by(lindperf_write_json);
    assert_json_valid(text);
    assert_non_null(strstr(text, "\"name\": \"alpha::parse\", \"calls\": 2,"));
    assert_non_null(strstr(text, "\"name\": \"beta::one\", \"calls\": 1,"));
    assert_null(strstr(text, "beta::unused"));
    free(text);
}

static void json_flags_a_saturated_total(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "m", "m::overflowed", 5, UINT64_MAX);
    char *text = written(lindperf__json_snapshot, &h.s);
    assert_non_null(strstr(text, "\"total\": 18446744073709551615, \"saturated\": true,"));
    assert_json_valid(text);
    free(text);
}

static void json_checker_rejects_malformed_text(void **state)
{
    (void)state;
    assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"\\u00e9\"]}"));
    const char *const bad[] = {
        "", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "\"raw\ttab\"", "\"bad \\x escape\"",
        "\"bad\xff\"", "\"surrogate\xed\xa0\x80\"", "01", "1.", "nul", "{} {}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (json_valid(bad[i]))
            fail_msg("the checker accepted %s", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(json_escapes_quotes_backslashes_and_control_characters),
        TEST(json_keeps_valid_utf8_and_escapes_invalid_bytes),
        TEST(json_of_awkward_names_is_well_formed),
        TEST(json_of_the_real_counters_is_well_formed),
        TEST(json_flags_a_saturated_total),
        TEST(json_checker_rejects_malformed_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
