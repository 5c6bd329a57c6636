/* The example's dispatcher: per-cage handler tables, grate interposition, the copy between
 * cages, and whole calls through lind_common -> threei -> rawposix -> fdtables -> libc. */
#define LINDPERF_IMPLEMENTATION   /* the one file of this program with the library's code */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fdtables.h"
#include "lind_common.h"
#include "lindperf.h"
#include "rawposix.h"
#include "threei.h"

enum { CAGE = 1, OTHER_CAGE = 2, GRATE_CAGE = 3 };
enum { SOME_SYSCALL = 42 };

static threei_call last_call;
static int handler_calls;

static int64_t recording_handler(const threei_call *call)
{
    last_call = *call;
    handler_calls++;
    return 1234;
}

static int64_t grate_says_root(const threei_call *call)
{
    (void)call;
    return 0;
}

/* uid_t is 32 bits wide: no real geteuid() returns this. */
#define NOT_A_UID ((int64_t)1 << 32)

static int64_t grate_says_not_a_uid(const threei_call *call)
{
    (void)call;
    return NOT_A_UID;
}

static int fresh_cages(void **state)
{
    (void)state;
    for (uint64_t cage = 0; cage < THREEI_MAX_CAGES; cage++)
        threei_clear_cage(cage);
    memset(&last_call, 0, sizeof last_call);
    handler_calls = 0;
    return 0;
}

static int64_t call(uint64_t cage, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return lind_common_make_syscall(cage, nr, a0, a1, a2);
}

static void unregistered_syscall_is_enosys(void **state)
{
    (void)state;
    assert_int_equal(call(CAGE, SOME_SYSCALL, 0, 0, 0), -ENOSYS);
}

static void syscall_or_cage_out_of_range_is_enosys(void **state)
{
    (void)state;
    threei_call c = { .self_cage = CAGE, .target_cage = CAGE, .nr = THREEI_MAX_SYSCALLS };
    assert_int_equal(threei_make_syscall(&c), -ENOSYS);
    c.nr = SOME_SYSCALL;
    c.target_cage = THREEI_MAX_CAGES;
    assert_int_equal(threei_make_syscall(&c), -ENOSYS);
}

static void registering_outside_the_table_is_einval(void **state)
{
    (void)state;
    assert_int_equal(threei_register_handler(THREEI_MAX_CAGES, 0, recording_handler), -EINVAL);
    assert_int_equal(threei_register_handler(CAGE, THREEI_MAX_SYSCALLS, recording_handler),
                     -EINVAL);
}

static void handler_gets_the_packed_arguments(void **state)
{
    (void)state;
    assert_int_equal(threei_register_handler(CAGE, SOME_SYSCALL, recording_handler), 0);
    assert_int_equal(call(CAGE, SOME_SYSCALL, 7, 8, 9), 1234);
    assert_int_equal(handler_calls, 1);
    assert_int_equal(last_call.self_cage, CAGE);
    assert_int_equal(last_call.target_cage, CAGE);
    assert_int_equal(last_call.nr, SOME_SYSCALL);
    assert_int_equal(last_call.arg[0], 7);
    assert_int_equal(last_call.arg[1], 8);
    assert_int_equal(last_call.arg[2], 9);
}

static void handlers_belong_to_one_cage(void **state)
{
    (void)state;
    threei_register_handler(CAGE, SOME_SYSCALL, recording_handler);
    assert_int_equal(call(OTHER_CAGE, SOME_SYSCALL, 0, 0, 0), -ENOSYS);
    assert_int_equal(handler_calls, 0);
}

static void registering_null_removes_the_handler(void **state)
{
    (void)state;
    threei_register_handler(CAGE, SOME_SYSCALL, recording_handler);
    threei_register_handler(CAGE, SOME_SYSCALL, NULL);
    assert_int_equal(call(CAGE, SOME_SYSCALL, 0, 0, 0), -ENOSYS);
}

static void attached_cage_gets_the_real_geteuid(void **state)
{
    (void)state;
    rawposix_attach_cage(CAGE);
    assert_int_equal(call(CAGE, LIND_SYS_GETEUID, 0, 0, 0), geteuid());
}

static void grate_interposes_on_its_target_cage_only(void **state)
{
    (void)state;
    rawposix_attach_cage(CAGE);
    rawposix_attach_cage(OTHER_CAGE);
    rawposix_attach_cage(GRATE_CAGE);
    assert_int_equal(threei_register_handler(CAGE, LIND_SYS_GETEUID, grate_says_not_a_uid), 0);
    assert_int_equal(call(CAGE, LIND_SYS_GETEUID, 0, 0, 0), NOT_A_UID);
    assert_int_equal(call(OTHER_CAGE, LIND_SYS_GETEUID, 0, 0, 0), geteuid());
    assert_int_equal(call(GRATE_CAGE, LIND_SYS_GETEUID, 0, 0, 0), geteuid());
}

static void later_grate_replaces_the_earlier_one(void **state)
{
    (void)state;
    rawposix_attach_cage(CAGE);
    threei_register_handler(CAGE, LIND_SYS_GETEUID, grate_says_not_a_uid);
    threei_register_handler(CAGE, LIND_SYS_GETEUID, grate_says_root);
    assert_int_equal(call(CAGE, LIND_SYS_GETEUID, 0, 0, 0), 0);
}

static void grate_leaves_other_syscalls_to_rawposix(void **state)
{
    (void)state;
    rawposix_attach_cage(CAGE);
    threei_register_handler(CAGE, LIND_SYS_GETEUID, grate_says_root);
    assert_int_equal(call(CAGE, LIND_SYS_CLOSE, (uint64_t)-1, 0, 0), -EBADF);
}

static void close_minus_one_is_ebadf_through_the_whole_path(void **state)
{
    (void)state;
    rawposix_attach_cage(CAGE);
    assert_int_equal(call(CAGE, LIND_SYS_CLOSE, (uint64_t)-1, 0, 0), -EBADF);
    assert_int_equal(call(CAGE, LIND_SYS_CLOSE, FDTABLES_MAX_FDS, 0, 0), -EBADF);
}

static void pipe_carries_data_through_the_whole_path(void **state)
{
    (void)state;
    int vfds[2] = { -1, -1 };
    char out[64] = "through five layers and a real pipe", in[64] = "";
    rawposix_attach_cage(CAGE);
    assert_int_equal(call(CAGE, LIND_SYS_PIPE, (uintptr_t)vfds, 0, 0), 0);
    assert_int_equal(vfds[0], 0);
    assert_int_equal(vfds[1], 1);
    assert_int_equal(call(CAGE, LIND_SYS_WRITE, (uint64_t)vfds[1], (uintptr_t)out, sizeof out),
                     sizeof out);
    assert_int_equal(call(CAGE, LIND_SYS_READ, (uint64_t)vfds[0], (uintptr_t)in, sizeof in),
                     sizeof in);
    assert_string_equal(in, out);
    assert_int_equal(call(CAGE, LIND_SYS_CLOSE, (uint64_t)vfds[0], 0, 0), 0);
    assert_int_equal(call(CAGE, LIND_SYS_CLOSE, (uint64_t)vfds[1], 0, 0), 0);
    assert_int_equal(call(CAGE, LIND_SYS_CLOSE, (uint64_t)vfds[1], 0, 0), -EBADF);
}

static void other_cage_cannot_use_a_cages_fd(void **state)
{
    (void)state;
    int vfds[2];
    char byte = 'x';
    rawposix_attach_cage(CAGE);
    rawposix_attach_cage(OTHER_CAGE);
    assert_int_equal(call(CAGE, LIND_SYS_PIPE, (uintptr_t)vfds, 0, 0), 0);
    assert_int_equal(call(OTHER_CAGE, LIND_SYS_WRITE, (uint64_t)vfds[1], (uintptr_t)&byte, 1),
                     -EBADF);
    call(CAGE, LIND_SYS_CLOSE, (uint64_t)vfds[0], 0, 0);
    call(CAGE, LIND_SYS_CLOSE, (uint64_t)vfds[1], 0, 0);
}

static unsigned char memory_a[64], memory_b[64];

static void copy_between_cages_moves_the_bytes(void **state)
{
    (void)state;
    threei_set_cage_memory(CAGE, memory_a, sizeof memory_a);
    threei_set_cage_memory(OTHER_CAGE, memory_b, sizeof memory_b);
    memcpy(memory_a, "hello, peer", 12);
    memset(memory_b, 0, sizeof memory_b);
    assert_int_equal(
        threei_copy_data_between_cages(CAGE, memory_a, OTHER_CAGE, memory_b + 52, 12), 0);
    assert_memory_equal(memory_b + 52, "hello, peer", 12);
}

static void copy_outside_a_cages_memory_is_efault(void **state)
{
    (void)state;
    threei_set_cage_memory(CAGE, memory_a, sizeof memory_a);
    threei_set_cage_memory(OTHER_CAGE, memory_b, sizeof memory_b);
    memset(memory_b, 0, sizeof memory_b);
    /* one byte past the end, on either side */
    assert_int_equal(
        threei_copy_data_between_cages(CAGE, memory_a + 1, OTHER_CAGE, memory_b, 64), -EFAULT);
    assert_int_equal(
        threei_copy_data_between_cages(CAGE, memory_a, OTHER_CAGE, memory_b + 1, 64), -EFAULT);
    /* the other cage's memory is not the source cage's */
    assert_int_equal(
        threei_copy_data_between_cages(CAGE, memory_b, OTHER_CAGE, memory_b, 1), -EFAULT);
    /* a length that wraps the address space */
    assert_int_equal(
        threei_copy_data_between_cages(CAGE, memory_a, OTHER_CAGE, memory_b, SIZE_MAX), -EFAULT);
    /* a cage without memory */
    assert_int_equal(
        threei_copy_data_between_cages(GRATE_CAGE, memory_a, OTHER_CAGE, memory_b, 1), -EFAULT);
    static const unsigned char zeros[64];
    assert_memory_equal(memory_b, zeros, sizeof zeros);
}

static const char *const module_counters[] = {
    "lind_common::add_to_linker::make-syscall",
    "threei::make_syscall", "threei::copy_data_between_cages",
    "rawposix::close_syscall", "rawposix::geteuid_syscall", "rawposix::read_syscall",
    "rawposix::write_syscall", "rawposix::pipe_syscall",
    "fdtables::get_unused_virtualfd", "fdtables::translate_virtualfd", "fdtables::close_virtualfd",
};

static void every_module_counter_is_registered(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof module_counters / sizeof module_counters[0]; i++) {
        const lindperf_counter *c = lindperf_find(module_counters[i]);
        assert_non_null(c);
        assert_string_equal(lindperf_counter_name(c), module_counters[i]);
    }
}

/* Only the enabled counter records, so each layer is checked in a run of its own. */
static void each_layer_counts_every_close_once(void **state)
{
    (void)state;
    static const char *const path[] = {
        "lind_common::add_to_linker::make-syscall", "threei::make_syscall",
        "rawposix::close_syscall", "fdtables::close_virtualfd",
    };
    rawposix_attach_cage(CAGE);
    lindperf_set_timer(LINDPERF_CLOCK);
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        const lindperf_counter *c = lindperf_find(path[i]);
        assert_non_null(c);
        lindperf_reset_all();
        lindperf_enable_only(c);
        for (int n = 0; n < 10; n++)
            assert_int_equal(call(CAGE, LIND_SYS_CLOSE, (uint64_t)-1, 0, 0), -EBADF);
        lindperf_enable_only(NULL);
        assert_int_equal(lindperf_counter_calls(c), 10);
        assert_int_equal(lindperf_counter_calls(lindperf_find("rawposix::geteuid_syscall")), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(unregistered_syscall_is_enosys, fresh_cages),
        cmocka_unit_test_setup(syscall_or_cage_out_of_range_is_enosys, fresh_cages),
        cmocka_unit_test_setup(registering_outside_the_table_is_einval, fresh_cages),
        cmocka_unit_test_setup(handler_gets_the_packed_arguments, fresh_cages),
        cmocka_unit_test_setup(handlers_belong_to_one_cage, fresh_cages),
        cmocka_unit_test_setup(registering_null_removes_the_handler, fresh_cages),
        cmocka_unit_test_setup(attached_cage_gets_the_real_geteuid, fresh_cages),
        cmocka_unit_test_setup(grate_interposes_on_its_target_cage_only, fresh_cages),
        cmocka_unit_test_setup(later_grate_replaces_the_earlier_one, fresh_cages),
        cmocka_unit_test_setup(grate_leaves_other_syscalls_to_rawposix, fresh_cages),
        cmocka_unit_test_setup(close_minus_one_is_ebadf_through_the_whole_path, fresh_cages),
        cmocka_unit_test_setup(pipe_carries_data_through_the_whole_path, fresh_cages),
        cmocka_unit_test_setup(other_cage_cannot_use_a_cages_fd, fresh_cages),
        cmocka_unit_test_setup(copy_between_cages_moves_the_bytes, fresh_cages),
        cmocka_unit_test_setup(copy_outside_a_cages_memory_is_efault, fresh_cages),
        cmocka_unit_test_setup(every_module_counter_is_registered, fresh_cages),
        cmocka_unit_test_setup(each_layer_counts_every_close_once, fresh_cages),
    };
    return cmocka_run_group_tests_name("threei", tests, NULL, NULL);
}
