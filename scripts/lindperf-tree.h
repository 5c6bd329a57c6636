/* lindperf-tree.h: the call path of a lindperf results file, as one tree of nodes that
 * lindperf-plot draws, whatever the file's age.
 *
 *     lindperf_tree tree;
 *     if (lindperf_tree_load(&run, &tree) != 0) exit(2);       (the message is printed)
 *     for (size_t i = 0; i < tree.count; i++) ... tree.nodes[i].self ...
 *     lindperf_tree_free(&tree);
 *
 * lindperf_tree_format writes a node's figure the way both tools show it: "-" when it is
 * unknown, LINDPERF_TREE_ESTIMATE_MARK before an estimate.
 *
 * Two sources, one shape
 *     - A file with a top-level "tree" (docs/design.md) holds the calling-context tree:
 *       one node per path of counters from a root, depth first, each with its parent's
 *       id. A counter reached from two callers is two nodes, each with its own calls and
 *       time. Its figures are net already, and read as they are.
 *     - An older file has only each counter's "parent", its most frequent caller. The tree
 *       is then one node per counter under that parent, and its figures are made net here
 *       the way the header makes the call path's: total minus outermost calls x the
 *       counter's empty scope, at least 0. A file that is gross and names no empty scope
 *       stays gross, and says so (`net` is 0): gross figures include the timer's own cost.
 *       One that does not say whether it is net is read as written (`net` is -1).
 *
 * A node's self time is its total less its children's totals. It is negative when noise
 * between separately timed runs makes the children outweigh their parent; it is kept so,
 * for the reader to mark, never clamped.
 *
 * Built on lindperf-run.h (the loaded run) and lindperf-json.h (its document). Strings
 * point into the run's document and live as long as the run.
 */
#ifndef LINDPERF_TREE_H
#define LINDPERF_TREE_H

#include "lindperf-run.h"

#define LINDPERF_TREE_NONE (-1L)
#define LINDPERF_TREE_ESTIMATE_MARK "\xe2\x89\x88"   /* U+2248, as the text report marks one */

typedef struct {
    const char *name;               /* "module::name"; may hold NUL bytes, hence the length */
    size_t name_length;
    const char *module;             /* the counter's module; NULL when no counter has the name */
    long parent, first_child, next_sibling;   /* node indexes, or LINDPERF_TREE_NONE */
    int depth;                      /* 0 for a root */
    double calls;
    int has_total, has_self;        /* 0: not timed in this run (the figure is unknown) */
    double total, self;             /* in the run's unit; self may be below zero */
    int estimated;                  /* the time is the counter's per-call figure x calls */
    size_t line;                    /* where the node's object starts in the file; 0 if none */
} lindperf_tree_node;

typedef struct {
    lindperf_tree_node *nodes;      /* depth first: a parent before its children */
    size_t count;
    int from_parents;               /* 1: the file has no "tree"; made from counters' parents */
    int net;                        /* 1: net of the timer floor; 0: gross; -1: not said */
    int netted_here;                /* 1: the file was gross and the floor was subtracted here */
    size_t left_out;                /* from_parents: counters in or under a loop of parents */
} lindperf_tree;

static inline void lindperf_tree_free(lindperf_tree *tree)
{
    free(tree->nodes);
    memset(tree, 0, sizeof *tree);
}

/* `value` in `unit` as the text report writes it, or "-" when it is not `known`. */
static inline void lindperf_tree_format(int known, double value, int estimated, const char *unit,
                                        char *buf, size_t size)
{
    char text[32];
    if (!known) {
        snprintf(buf, size, "-");
        return;
    }
    lindperf_run_format(value, unit, 3, text, sizeof text);
    snprintf(buf, size, "%s%s", estimated ? LINDPERF_TREE_ESTIMATE_MARK : "", text);
}

static const char *lindperf_tree__module_of(const lindperf_run *run, const char *name,
                                            size_t length)
{
    long k = lindperf_run_find(run, name, length);
    return k >= 0 ? run->counters[k].module : NULL;
}

/* Links each node to its parent's child list, children in node order, and sets depths. */
static void lindperf_tree__link(lindperf_tree *tree)
{
    for (size_t i = 0; i < tree->count; i++)
        tree->nodes[i].first_child = tree->nodes[i].next_sibling = LINDPERF_TREE_NONE;
    for (size_t i = tree->count; i-- > 0;) {
        lindperf_tree_node *n = &tree->nodes[i];
        if (n->parent == LINDPERF_TREE_NONE)
            continue;
        n->next_sibling = tree->nodes[n->parent].first_child;
        tree->nodes[n->parent].first_child = (long)i;
    }
    for (size_t i = 0; i < tree->count; i++) {
        lindperf_tree_node *n = &tree->nodes[i];
        n->depth = n->parent == LINDPERF_TREE_NONE ? 0 : tree->nodes[n->parent].depth + 1;
    }
}

/* ---- a file with a calling-context tree -------------------------------------------- */

static int lindperf_tree__bad(const lindperf_run *run, const lindperf_json *item, size_t index,
                              const char *what)
{
    fprintf(stderr, "lindperf: %s:%zu: call-path node %zu %s; is this a lindperf --perf-json "
            "file?\n", run->path, item->line, index + 1, what);
    return -1;
}

/* The index of the node before `before` whose "id" is `id`, or LINDPERF_TREE_NONE. The
 * header numbers nodes in order, so the first guess almost always holds. */
static long lindperf_tree__index_of(const double *ids, size_t before, double id)
{
    if (id >= 0 && id < (double)before && ids[(size_t)id] == id)
        return (long)id;
    for (size_t i = 0; i < before; i++)
        if (ids[i] == id)
            return (long)i;
    return LINDPERF_TREE_NONE;
}

static int lindperf_tree__node(const lindperf_run *run, const lindperf_json *item, size_t index,
                               double *ids, lindperf_tree_node *n)
{
    const lindperf_json *id = lindperf_json_get(item, "id");
    const lindperf_json *parent = lindperf_json_get(item, "parent");
    const lindperf_json *name = lindperf_json_get(item, "name");
    const lindperf_json *calls = lindperf_json_get(item, "calls");
    const lindperf_json *time = lindperf_json_get(item, "time");

    n->line = item->line;
    if (item->type != LINDPERF_JSON_OBJECT)
        return lindperf_tree__bad(run, item, index, "is not an object");
    if (!id || id->type != LINDPERF_JSON_NUMBER)
        return lindperf_tree__bad(run, item, index, "has no number \"id\"");
    if (!name || name->type != LINDPERF_JSON_STRING)
        return lindperf_tree__bad(run, item, index, "has no string \"name\"");
    if (!calls || calls->type != LINDPERF_JSON_NUMBER)
        return lindperf_tree__bad(run, item, index, "has no number \"calls\"");
    if (lindperf_run_optional_number(item, "total", &n->total, &n->has_total) != 0 ||
        lindperf_run_optional_number(item, "self", &n->self, &n->has_self) != 0)
        return lindperf_tree__bad(run, item, index, "has a \"total\" or \"self\" that is not a "
                                  "number or null");
    if (time && time->type != LINDPERF_JSON_NULL &&   /* null: a context left untimed */
        (time->type != LINDPERF_JSON_STRING ||
         (strcmp(time->string, "exact") != 0 && strcmp(time->string, "estimated") != 0)))
        return lindperf_tree__bad(run, item, index, "has a \"time\" other than \"exact\" or "
                                  "\"estimated\"");
    ids[index] = id->number;
    if (lindperf_tree__index_of(ids, index, id->number) != LINDPERF_TREE_NONE)
        return lindperf_tree__bad(run, item, index, "repeats the \"id\" of an earlier node");
    n->parent = parent && parent->type == LINDPERF_JSON_NUMBER
                    ? lindperf_tree__index_of(ids, index, parent->number)
                    : LINDPERF_TREE_NONE;
    if (parent && parent->type != LINDPERF_JSON_NULL && n->parent == LINDPERF_TREE_NONE)
        return lindperf_tree__bad(run, item, index, "has a \"parent\" that is not the id of an "
                                  "earlier node (the tree is written depth first)");
    n->name = name->string;
    n->name_length = name->length;
    n->module = lindperf_tree__module_of(run, name->string, name->length);
    n->calls = calls->number;
    n->estimated = time && time->type == LINDPERF_JSON_STRING &&
                   strcmp(time->string, "estimated") == 0;
    return 0;
}

static int lindperf_tree__read(const lindperf_run *run, const lindperf_json *nodes,
                               lindperf_tree *tree)
{
    if (nodes->type != LINDPERF_JSON_ARRAY) {
        fprintf(stderr, "lindperf: %s:%zu: \"tree\" is %s, not an array\n", run->path,
                nodes->line, lindperf_json_type_name(nodes->type));
        return -1;
    }
    double *ids = malloc((nodes->count ? nodes->count : 1) * sizeof *ids);
    tree->nodes = calloc(nodes->count ? nodes->count : 1, sizeof *tree->nodes);
    if (!ids || !tree->nodes) {
        free(ids);
        fprintf(stderr, "lindperf: out of memory reading %s\n", run->path);
        return -1;
    }
    tree->count = nodes->count;
    tree->net = 1;
    for (size_t i = 0; i < nodes->count; i++) {
        if (lindperf_tree__node(run, &nodes->items[i], i, ids, &tree->nodes[i]) != 0) {
            free(ids);
            return -1;
        }
    }
    free(ids);
    lindperf_tree__link(tree);
    return 0;
}

/* ---- an older file: each counter under its most frequent parent -------------------- */

/* The counter's empty scope: its own, else the run's; -1 when the file names neither. */
static double lindperf_tree__floor(const lindperf_json *doc, const lindperf_json *counter)
{
    const lindperf_json *own = lindperf_json_get(counter, "empty_scope");
    const lindperf_json *run = lindperf_json_get(doc, "empty_scope");
    if (own && own->type == LINDPERF_JSON_NUMBER)
        return own->number;
    return run && run->type == LINDPERF_JSON_NUMBER ? run->number : -1;
}

/* Net as the header's call path has it: a recursive counter's time is its outermost
 * activations', so each of those, not each call, paid one floor. */
static double lindperf_tree__net_total(const lindperf_json *counter, double total, double calls,
                                       double floor)
{
    const lindperf_json *outer = lindperf_json_get(counter, "outer_calls");
    double timed = outer && outer->type == LINDPERF_JSON_NUMBER ? outer->number : calls;
    double net = total - timed * floor;
    return net > 0 ? net : 0;
}

/* Depth first from counter k; returns the next free node index. */
static size_t lindperf_tree__emit(const lindperf_run *run, const long *parent_of,
                                  const double *totals, size_t k, long parent_node,
                                  lindperf_tree *tree, size_t next)
{
    const lindperf_run_counter *c = &run->counters[k];
    lindperf_tree_node *n = &tree->nodes[next];
    long self_index = (long)next;
    n->name = c->name;
    n->name_length = c->name_length;
    n->module = c->module;
    n->parent = parent_node;
    n->calls = c->calls;
    n->has_total = n->has_self = 1;
    n->total = n->self = totals[k];
    n->line = c->line;
    next++;
    for (size_t i = 0; i < run->count; i++) {
        if (parent_of[i] != (long)k)
            continue;
        n->self -= totals[i];
        next = lindperf_tree__emit(run, parent_of, totals, i, self_index, tree, next);
    }
    return next;
}

static int lindperf_tree__from_parents(const lindperf_run *run, lindperf_tree *tree)
{
    size_t n = run->count ? run->count : 1;
    const lindperf_json *counters = lindperf_json_get(run->doc, "counters");
    long *parent_of = calloc(n, sizeof *parent_of);
    double *totals = calloc(n, sizeof *totals);
    int *rooted = calloc(n, sizeof *rooted);
    tree->nodes = calloc(n, sizeof *tree->nodes);
    tree->from_parents = 1;
    if (!parent_of || !totals || !rooted || !tree->nodes) {
        free(parent_of);
        free(totals);
        free(rooted);
        fprintf(stderr, "lindperf: out of memory reading %s\n", run->path);
        return -1;
    }

    int floors_known = 1;
    for (size_t i = 0; i < run->count; i++)
        floors_known &= lindperf_tree__floor(run->doc, &counters->items[i]) >= 0;
    /* A file that does not say whether it is net is drawn as written: subtracting a floor
     * from figures that may already be net would count it twice. */
    tree->netted_here = run->net == 0 && floors_known;
    tree->net = run->net == 1 || tree->netted_here ? 1 : run->net == 0 ? 0 : -1;
    for (size_t i = 0; i < run->count; i++) {
        const lindperf_run_counter *c = &run->counters[i];
        const lindperf_json *item = &counters->items[i];
        double floor = lindperf_tree__floor(run->doc, item);
        totals[i] = tree->netted_here ? lindperf_tree__net_total(item, c->total, c->calls, floor)
                                      : c->total;
        parent_of[i] = c->parent ? lindperf_run_find(run, c->parent, c->parent_length) : -1;
        if (parent_of[i] == (long)i)
            parent_of[i] = -1;   /* a counter cannot enclose itself; treat it as a root */
    }
    /* A walk up longer than the counter count has met a loop: such counters, and those
     * under them, have no root to hang from. */
    for (size_t i = 0; i < run->count; i++) {
        long p = parent_of[i];
        for (size_t steps = 0; p >= 0 && steps <= run->count; steps++)
            p = parent_of[p];
        rooted[i] = p < 0;
        tree->left_out += !rooted[i];
    }
    for (size_t i = 0; i < run->count; i++)
        if (!rooted[i])
            parent_of[i] = -2;   /* matches no counter, so the walk below never enters it */
    for (size_t i = 0; i < run->count; i++)
        if (parent_of[i] == -1)
            tree->count = lindperf_tree__emit(run, parent_of, totals, i, LINDPERF_TREE_NONE,
                                              tree, tree->count);
    if (tree->left_out)
        fprintf(stderr, "lindperf: note: %s: %zu counters have a loop among their parents; "
                "they are left out of the call path\n", run->path, tree->left_out);
    free(parent_of);
    free(totals);
    free(rooted);
    lindperf_tree__link(tree);
    return 0;
}

/* 0, or -1 after printing a "lindperf:" message that names the file and the problem. */
static inline int lindperf_tree_load(const lindperf_run *run, lindperf_tree *tree)
{
    const lindperf_json *nodes = lindperf_json_get(run->doc, "tree");
    int status;
    memset(tree, 0, sizeof *tree);
    status = nodes ? lindperf_tree__read(run, nodes, tree)
                   : lindperf_tree__from_parents(run, tree);
    if (status != 0)
        lindperf_tree_free(tree);
    return status;
}

#endif
