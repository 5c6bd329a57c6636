/* The header's CSV writer: quoting, and one line per called counter. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include "report_fixture.h"

static void csv_quotes_fields_with_commas_quotes_and_line_breaks(void **state)
{
    (void)state;
    hand_snapshot h;
    hand_init(&h, LINDPERF_CLOCK, 20);
    hand_row(&h, "plain", "plain::name", 3, 10);
    hand_row(&h, "odd,mod", "odd,mod::say \"hi\"", 1, 5);
    hand_row(&h, "odd,mod", "odd,mod::two\nlines\r", 2, 7);
    hand_row(&h, "odd,mod", "odd,mod::never", 0, 0);
    char *text = written(lindperf__csv_snapshot, &h.s);
    assert_text_equal(text,
        "module,name,calls,total,avg,min,p50,p99,max,parent\n"
        "plain,plain::name,3,10,3.333,,,,,\n"
        "\"odd,mod\",\"odd,mod::say \"\"hi\"\"\",1,5,5.000,,,,,\n"
        "\"odd,mod\",\"odd,mod::two\nlines\r\",2,7,3.500,,,,,\n");
    free(text);
}

static void csv_of_the_real_counters_has_one_line_per_called_counter(void **state)
{
    (void)state;
    record("zeta::last", 4);
    record("alpha::lex", 1);
    char *text = written_by(lindperf_write_csv);
    char *second = strchr(text, '\n') + 1;
    assert_int_equal(strncmp(text, "module,name,calls,total,avg,min,p50,p99,max,parent\n",
                             (size_t)(second - text)), 0);
    assert_int_equal(strncmp(second, "alpha,alpha::lex,1,", 19), 0);
    char *third = strchr(second, '\n') + 1;
    assert_int_equal(strncmp(third, "zeta,zeta::last,4,", 18), 0);
    assert_string_equal(strchr(third, '\n'), "\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(csv_quotes_fields_with_commas_quotes_and_line_breaks),
        TEST(csv_of_the_real_counters_has_one_line_per_called_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
