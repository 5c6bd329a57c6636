/* The files that --perf-json and its kin ask for: written beside the old one and renamed
 * over it, so that a write that fails leaves the old file whole and no temporary behind. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include "report_fixture.h"

#include <dirent.h>
#include <sys/stat.h>

static char folder[] = "/tmp/lindperf-output-XXXXXX";
static char path[64];

static int make_folder(void **state)
{
    (void)state;
    strcpy(folder, "/tmp/lindperf-output-XXXXXX");
    assert_non_null(mkdtemp(folder));
    snprintf(path, sizeof path, "%s/results.json", folder);
    return 0;
}

static int remove_folder(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(folder);   /* fails when a temporary file was left behind */
}

static void put(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *contents(void)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char text[256];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    return text;
}

static size_t files_in_folder(void)
{
    DIR *d = opendir(folder);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int writes_new_results(FILE *out)
{
    return fputs("new results\n", out) < 0 ? -1 : 0;
}

/* Half a file, then a failure: what a full disk or a failed writer leaves. */
static int fails_half_way(FILE *out)
{
    fputs("half of the new", out);
    return -1;
}

static void a_write_replaces_the_old_file(void **state)
{
    (void)state;
    put("old results\n");
    assert_int_equal(lindperf__write_file(path, writes_new_results), 0);
    assert_string_equal(contents(), "new results\n");
    assert_int_equal(files_in_folder(), 1);
}

static void a_write_creates_a_missing_file(void **state)
{
    (void)state;
    assert_int_equal(lindperf__write_file(path, writes_new_results), 0);
    assert_string_equal(contents(), "new results\n");
    assert_int_equal(files_in_folder(), 1);
}

static void a_failed_write_leaves_the_old_file_whole_and_no_temporary(void **state)
{
    (void)state;
    put("old results\n");
    catch_stderr();
    int status = lindperf__write_file(path, fails_half_way);
    char *said = release_stderr();
    assert_int_equal(status, -1);
    assert_string_equal(contents(), "old results\n");
    assert_int_equal(files_in_folder(), 1);
    assert_int_equal(strncmp(said, "lindperf: writing ", 18), 0);
    free(said);
}

static void a_failed_write_creates_no_file(void **state)
{
    (void)state;
    catch_stderr();
    int status = lindperf__write_file(path, fails_half_way);
    free(release_stderr());
    assert_int_equal(status, -1);
    assert_int_equal(files_in_folder(), 0);
}

static void a_replaced_file_keeps_its_permissions(void **state)
{
    (void)state;
    put("old results\n");
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(lindperf__write_file(path, writes_new_results), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
}

/* A device is not a file to replace: /dev/null must stay /dev/null. */
static void a_device_is_written_in_place(void **state)
{
    (void)state;
    assert_int_equal(lindperf__write_file("/dev/null", writes_new_results), 0);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

#define IN_FOLDER(name) cmocka_unit_test_setup_teardown(name, make_folder, remove_folder)

int main(void)
{
    const struct CMUnitTest tests[] = {
        IN_FOLDER(a_write_replaces_the_old_file),
        IN_FOLDER(a_write_creates_a_missing_file),
        IN_FOLDER(a_failed_write_leaves_the_old_file_whole_and_no_temporary),
        IN_FOLDER(a_failed_write_creates_no_file),
        IN_FOLDER(a_replaced_file_keeps_its_permissions),
        cmocka_unit_test(a_device_is_written_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
