/* scripts/lindperf-json.h, the tools' JSON reader: the whole grammar, escapes decoded to
 * UTF-8, and every malformed text refused with the position where reading stopped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lindperf-json.h"

static lindperf_json *parse(const char *text, lindperf_json_error *err)
{
    return lindperf_json_parse(text, strlen(text), err);
}

/* Parses text that must be invalid; returns the error for the caller to inspect. */
static lindperf_json_error refuse(const char *text)
{
    lindperf_json_error err;
    lindperf_json *v = parse(text, &err);
    if (v)
        fail_msg("accepted invalid JSON: %s", text);
    assert_true(err.message[0] != '\0');
    return err;
}

static void every_kind_of_value_is_read(void **state)
{
    (void)state;
    lindperf_json_error err;
    lindperf_json *v = parse(" {\"n\": null, \"f\": false, \"t\": true, \"x\": -12.5e2,"
                             " \"s\": \"hi\", \"a\": [1, [], {}], \"o\": {\"k\": 0}} ", &err);
    assert_non_null(v);
    assert_int_equal(v->type, LINDPERF_JSON_OBJECT);
    assert_int_equal(v->count, 7);
    assert_int_equal(lindperf_json_get(v, "n")->type, LINDPERF_JSON_NULL);
    assert_int_equal(lindperf_json_get(v, "f")->type, LINDPERF_JSON_FALSE);
    assert_int_equal(lindperf_json_get(v, "t")->type, LINDPERF_JSON_TRUE);
    assert_true(lindperf_json_get(v, "x")->number == -1250.0);
    assert_string_equal(lindperf_json_get(v, "s")->string, "hi");
    const lindperf_json *a = lindperf_json_get(v, "a");
    assert_int_equal(a->count, 3);
    assert_int_equal(a->items[1].type, LINDPERF_JSON_ARRAY);
    assert_int_equal(a->items[1].count, 0);
    assert_int_equal(a->items[2].type, LINDPERF_JSON_OBJECT);
    assert_true(lindperf_json_get(lindperf_json_get(v, "o"), "k")->number == 0);
    assert_null(lindperf_json_get(v, "missing"));
    assert_null(lindperf_json_get(a, "k"));     /* not an object */
    lindperf_json_free(v);
}

static void numbers_follow_the_json_grammar(void **state)
{
    (void)state;
    const char *good[] = {"0", "-0", "7", "10", "0.5", "1e3", "1E+3", "2.5e-3",
                          "123456789012345678901234567890"};
    double want[] = {0, 0, 7, 10, 0.5, 1000, 1000, 0.0025, 1.2345678901234568e29};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        lindperf_json *v = parse(good[i], NULL);
        assert_non_null(v);
        assert_int_equal(v->type, LINDPERF_JSON_NUMBER);
        assert_true(v->number == want[i]);
        lindperf_json_free(v);
    }
    const char *bad[] = {"01", "+1", ".5", "1.", "1e", "1e+", "-", "0x10", "Infinity", "NaN",
                         "1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refuse(bad[i]);
}

static void string_escapes_are_decoded_to_utf8(void **state)
{
    (void)state;
    lindperf_json *v =
        parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u20AC \\ud83d\\ude00\"", NULL);
    assert_non_null(v);
    assert_string_equal(v->string, "q\" b\\ s/ \b\f\n\r\t \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    lindperf_json_free(v);
}

static void nul_and_lone_surrogates_are_kept(void **state)
{
    (void)state;
    lindperf_json *v = parse("\"a\\u0000b \\ud800 \\udc00\\u0041\"", NULL);
    assert_non_null(v);
    assert_int_equal(v->length, 12);
    assert_memory_equal(v->string, "a\0b \xED\xA0\x80 \xED\xB0\x80" "A", 12);
    lindperf_json_free(v);
}

static void a_high_surrogate_before_another_escape_keeps_both(void **state)
{
    (void)state;
    lindperf_json *v = parse("\"\\ud800\\n\"", NULL);
    assert_non_null(v);
    assert_int_equal(v->length, 4);
    assert_memory_equal(v->string, "\xED\xA0\x80\n", 4);
    lindperf_json_free(v);
}

static void keys_are_decoded_and_the_first_duplicate_wins(void **state)
{
    (void)state;
    lindperf_json *v = parse("{\"k\\u0065y\": 1, \"key\": 2}", NULL);
    assert_non_null(v);
    assert_true(lindperf_json_get(v, "key")->number == 1);
    lindperf_json_free(v);
}

static void errors_name_line_and_column(void **state)
{
    (void)state;
    lindperf_json_error err = refuse("{\n  \"a\": 1,\n  \"b\" 2\n}");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 7);
    assert_int_equal(err.offset, 18);
    assert_non_null(strstr(err.message, "':'"));
}

static void malformed_texts_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "", "   ", "{", "[", "[1,]", "{\"a\":1,}", "{a:1}", "{\"a\" 1}", "[1 2]", "\"open",
        "\"tab\there\"", "\"line\nbreak\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "tru", "nul",
        "falsey", "[] []", "'single'", "\"\\", "{\"a\":}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refuse(bad[i]);
}

static void text_with_a_nul_byte_is_refused(void **state)
{
    (void)state;
    lindperf_json_error err;
    assert_null(lindperf_json_parse("[1]\0", 4, &err));
    assert_int_equal(err.offset, 3);
}

static void deep_nesting_is_refused_not_followed(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *text = malloc(2 * depth + 1);
    assert_non_null(text);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';
    lindperf_json_error err;
    assert_null(parse(text, &err));
    assert_non_null(strstr(err.message, "deeply"));
    assert_int_equal(err.offset, LINDPERF_JSON_MAX_DEPTH);

    memset(text, '[', LINDPERF_JSON_MAX_DEPTH);      /* exactly at the limit: fine */
    memset(text + LINDPERF_JSON_MAX_DEPTH, ']', LINDPERF_JSON_MAX_DEPTH);
    text[2 * LINDPERF_JSON_MAX_DEPTH] = '\0';
    lindperf_json *v = parse(text, NULL);
    assert_non_null(v);
    lindperf_json_free(v);
    free(text);
}

static void a_missing_file_reports_the_system_error(void **state)
{
    (void)state;
    lindperf_json_error err;
    assert_null(lindperf_json_read_file("/nonexistent/lindperf.json", &err));
    assert_int_equal(err.line, 0);
    assert_string_equal(err.message, strerror(ENOENT));
}

static void a_file_larger_than_the_read_buffer_is_read_whole(void **state)
{
    (void)state;
    char path[] = "/tmp/lindperf-json-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputc('[', f);
    for (int i = 0; i < 20000; i++)
        fprintf(f, "%s%d", i ? "," : "", i);
    fputc(']', f);
    fclose(f);
    lindperf_json_error err;
    lindperf_json *v = lindperf_json_read_file(path, &err);
    remove(path);
    assert_non_null(v);
    assert_int_equal(v->count, 20000);
    assert_true(v->items[19999].number == 19999);
    lindperf_json_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_of_value_is_read),
        cmocka_unit_test(numbers_follow_the_json_grammar),
        cmocka_unit_test(string_escapes_are_decoded_to_utf8),
        cmocka_unit_test(nul_and_lone_surrogates_are_kept),
        cmocka_unit_test(a_high_surrogate_before_another_escape_keeps_both),
        cmocka_unit_test(keys_are_decoded_and_the_first_duplicate_wins),
        cmocka_unit_test(errors_name_line_and_column),
        cmocka_unit_test(malformed_texts_are_refused),
        cmocka_unit_test(text_with_a_nul_byte_is_refused),
        cmocka_unit_test(deep_nesting_is_refused_not_followed),
        cmocka_unit_test(a_missing_file_reports_the_system_error),
        cmocka_unit_test(a_file_larger_than_the_read_buffer_is_read_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
