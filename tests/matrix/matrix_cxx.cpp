// The compile matrix in C++: a C++ module (scopes in a method, a lambda, a template, and
// one left by an exception) and a C++ host, linked with the C module built by the C
// compiler, so both languages share one registry.
#define LINDPERF_IMPLEMENTATION   /* the host: the library's code, once */
#include "lindperf.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "matrix.h"
#include "matrix_check.h"

LINDPERF_COUNTER(cxx, method);
LINDPERF_COUNTER(cxx, lambda);
LINDPERF_COUNTER(cxx, templ);
LINDPERF_COUNTER(cxx, thrown);

namespace {

const int cxx_counters = 4;

class Accumulator {
public:
    Accumulator() : sum_(0) {}
    int add(int x)
    {
        LINDPERF_SCOPE(cxx, method);
        sum_ += x;
        return sum_;
    }

private:
    int sum_;
};

template <typename T>
T twice(T x)
{
    LINDPERF_SCOPE(cxx, templ);
    return x + x;
}

int may_throw(int x)
{
    LINDPERF_SCOPE(cxx, thrown);
    if (x % 2)
        throw std::runtime_error("odd");
    return x;
}

int early(int x)
{
    LINDPERF_SCOPE_VAR(timed, cxx, method);
    int y = x + 1;
    lindperf_black_box(&y);
    lindperf_scope_end(&timed);
    return y;
}

int run_all(int n)
{
    Accumulator acc;
    auto square = [](int x) {
        LINDPERF_SCOPE(cxx, lambda);
        return x * x;
    };
    int sum = 0, caught = 0;
    for (int i = 0; i < n; i++) {
        sum += acc.add(i) + square(i) + twice(i) + static_cast<int>(twice(1.0)) + early(i);
        try {
            sum += may_throw(i);
        } catch (const std::runtime_error &) {
            caught++;
        }
        sum += matrix_add(i, 1);
    }
    return sum + caught;
}

#ifdef LIND_PERF
const lindperf_counter *counter(const char *name)
{
    const lindperf_counter *c = lindperf_find(name);
    CHECK(c != nullptr);
    return c;
}

// Each counter, live alone, counts exactly the scopes entered under it.
void check_exact_counts(lindperf_timer timer, int n)
{
    struct expected {
        const char *name;
        uint64_t calls;
    };
    const uint64_t per_run = static_cast<uint64_t>(n);
    const expected all[] = {
        {"cxx::method", 2 * per_run},   // the method, and early() ended by hand
        {"cxx::lambda", per_run},
        {"cxx::templ", 2 * per_run},    // twice<int> and twice<double>
        {"cxx::thrown", per_run},       // half of them left by an exception
        {"matrix::add", per_run},
    };
    lindperf_set_timer(timer);
    for (const expected &e : all) {
        const lindperf_counter *c = counter(e.name);
        lindperf_reset_all();
        lindperf_enable_only(c);
        run_all(n);
        lindperf_enable_only(nullptr);
        CHECK(lindperf_counter_calls(c) == e.calls);
        CHECK(lindperf_counter_total(c) > 0);
        for (size_t i = 0; i < lindperf_counter_count(); i++)
            CHECK(lindperf_counter_at(i) == c ||
                  lindperf_counter_calls(lindperf_counter_at(i)) == 0);
    }
    lindperf_set_timer(LINDPERF_CLOCK);
}

int workload(void *arg)
{
    return run_all(*static_cast<int *>(arg)) > 0 ? 0 : 1;
}
#endif

}  // namespace

int main()
{
    int n = 10;
#ifdef LIND_PERF
    CHECK(lindperf_counter_count() == MATRIX_MODULE_COUNTERS + cxx_counters);
    check_exact_counts(LINDPERF_CLOCK, n);
    if (lindperf_tsc_hz() > 0)
        check_exact_counts(LINDPERF_TSC, n);

    FILE *out = std::fopen("/dev/null", "w");
    CHECK(out != nullptr);
    if (out) {
        CHECK(lindperf_run_each(LINDPERF_CLOCK, workload, &n, out) == 0);
        CHECK(lindperf_report(out) == 0);
        std::fclose(out);
    }
    CHECK(lindperf_counter_calls(counter("cxx::thrown")) == static_cast<uint64_t>(n));
    CHECK(lindperf_counter_parent(counter("matrix::add")) == nullptr);
#else
    (void)cxx_counters;
    CHECK(lindperf_counter_count() == 0);
    CHECK(lindperf_find("cxx::method") == nullptr);
    CHECK(lindperf_report(stdout) == 0);
#endif
    char prog[] = "host", perf[] = "--perftsc", extra[] = "--perf-tree";
    char *argv[] = {prog, perf, extra, nullptr};
    int argc = 3;
    lindperf_timer timer = LINDPERF_OFF;
    char why[256] = "";
    if (lindperf_try_parse_args(&argc, argv, &timer, why, sizeof why) == 0) {
        CHECK(LINDPERF_ENABLED && argc == 1 && argv[1] == nullptr && timer == LINDPERF_TSC);
    } else {
        CHECK(std::strncmp(why, "lindperf: ", 10) == 0);
        CHECK(argc == 3 && argv[1] == perf);
    }
    lindperf_set_tree(0);
    CHECK(run_all(n) != 0);
    return matrix_failures ? 1 : 0;
}
