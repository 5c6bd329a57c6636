/* The uninstrumented twin of instrumented.c. */
int off_helper(int x);

int off_sum(const int *v, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) {
        if (v[i] < 0)
            return -1;
        if (v[i] == 0)
            break;
        total += v[i];
    }
    return total;
}

int off_search(const int *v, int n, int wanted)
{
    int found = -1;
    for (int i = 0; i < n; i++) {
        if (v[i] == wanted) {
            found = i;
            goto done;
        }
    }
done:
    {
        found += off_helper(found);
    }
    return found;
}

int off_wrap(int x)
{
    return off_helper(x * 3);
}
