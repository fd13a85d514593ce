/* jobfile-load.c - a job file's text -> its one YAML document.
 *
 * libyaml's own loader (yaml_parser_load) is not used: its scanner takes
 * time quadratic in the nesting depth of flow collections ("[[[[...":
 * minutes for 1 MiB of brackets), so deep nesting must be refused while
 * the events come, and a separate pass for that doubled the cost of every
 * load (a fifth of a start-up with 10,000 jobs). compose() builds the
 * document from the events itself, as yaml_parser_load() does (tags,
 * anchors, aliases, marks), and stops at JF_MAX_DEPTH. Shared with
 * lib/config.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobfile-internal.h"

/* The character at a 0-based line and column (in characters, as libyaml
 * counts them) of @text, or 0. */
static char
char_at(const char *text, size_t len, size_t line, size_t column)
{
        size_t i = 0;

        for (; i < len && line > 0; i++)
                if (text[i] == '\n')
                        line--;
        for (; i < len && column > 0; i++)
                if (((unsigned char) text[i] & 0xc0) != 0x80 && text[i] != '\n')
                        column--;
                else if (text[i] == '\n')
                        return 0;
        while (i < len && ((unsigned char) text[i] & 0xc0) == 0x80)
                i++;
        return i < len ? text[i] : 0;
}

/* Records libyaml's parse error. Returns -EINVAL, or -ENOMEM. */
static int
yaml_problem(struct jf_ctx *c, const yaml_parser_t *p, const char *text, size_t len)
{
        yaml_mark_t mark = p->problem_mark;
        const char *problem = p->problem ? p->problem : "cannot parse";
        const char *hint = "";
        char where[64] = "";
        char ch;

        if (p->error == YAML_MEMORY_ERROR)
                return -ENOMEM;

        if (p->error == YAML_READER_ERROR) {
                /* Encoding errors come with a byte offset, not a mark. */
                mark = (yaml_mark_t) {};
                for (size_t i = 0; i < p->problem_offset && i < len; i++)
                        if (text[i] == '\n') {
                                mark.line++;
                                mark.column = 0;
                        } else if (((unsigned char) text[i] & 0xc0) != 0x80)
                                mark.column++;
                return jf_error_at(c, &mark, 0, NULL, "invalid YAML: %s (%s must be UTF-8)",
                                   problem, c->what ? c->what : "the file");
        }

        ch = char_at(text, len, mark.line, mark.column);
        if (ch == '\t')
                hint = " (YAML does not allow tabs for indentation, use spaces)";
        else if (ch == '*' || ch == '@' || ch == '`' || ch == '%' ||
                 (p->context && strstr(p->context, "alias")))
                hint = " (quote a value that starts with '*', '@', '`' or '%')";
        if (p->context &&
            (p->context_mark.line != mark.line || p->context_mark.column != mark.column))
                (void) snprintf(where, sizeof where, " started at %zu:%zu",
                                p->context_mark.line + 1, p->context_mark.column + 1);
        return jf_error_at(c, &mark, 0, NULL, "invalid YAML: %s%s%s%s%s", problem,
                           p->context ? " " : "", p->context ? p->context : "", where, hint);
}

/* Anchors seen so far in one document: name -> node. */
struct anchors {
        struct anchor {
                char *name;             /* owned */
                int node;
                yaml_mark_t mark;
        } *v;
        size_t n, cap;
};

static void
anchors_done(struct anchors *a)
{
        for (size_t i = 0; i < a->n; i++)
                free(a->v[i].name);
        free(a->v);
        *a = (struct anchors) {};
}

static const struct anchor *
anchors_find(const struct anchors *a, const char *name)
{
        for (size_t i = 0; i < a->n; i++)
                if (strcmp(a->v[i].name, name) == 0)
                        return &a->v[i];
        return NULL;
}

/* Makes the parser report a composer error, as its own loader would. */
static void
composer_error(yaml_parser_t *p, const char *context, yaml_mark_t context_mark, const char *problem,
               yaml_mark_t problem_mark)
{
        p->error = YAML_COMPOSER_ERROR;
        p->context = context;
        p->context_mark = context_mark;
        p->problem = problem;
        p->problem_mark = problem_mark;
}

/* The collections being filled, innermost last. */
struct open_node {
        int id;
        int key;        /* a mapping's key waiting for its value; 0: none */
};

struct composer {
        yaml_parser_t *p;
        yaml_document_t *doc;
        struct anchors anchors;
        struct open_node stack[JF_MAX_DEPTH];
        unsigned depth;
};

/* Puts node @id where it belongs: the root, an item, a key or a value. */
static int
attach(struct composer *k, int id)
{
        struct open_node *top;

        if (k->depth == 0)
                return 1;       /* the root: the first node added */
        top = &k->stack[k->depth - 1];
        if (yaml_document_get_node(k->doc, top->id)->type == YAML_SEQUENCE_NODE)
                return yaml_document_append_sequence_item(k->doc, top->id, id);
        if (!top->key) {
                top->key = id;
                return 1;
        }
        id = yaml_document_append_mapping_pair(k->doc, top->id, top->key, id);
        top->key = 0;
        return id;
}

/* The node's tag: none, and the non-specific "!", mean the default one,
 * as in yaml_parser_load(). */
static yaml_char_t *
tag_of(yaml_char_t *tag)
{
        return tag && strcmp((const char *) tag, "!") != 0 ? tag : NULL;
}

/* A new node of @ev: marks, its anchor, its place. Returns its id, or 0
 * (out of memory, or the parser holds a composer error). */
static int
add_node(struct composer *k, yaml_event_t *ev)
{
        const char *anchor = NULL;
        yaml_node_t *node;
        int id;

        switch (ev->type) {
        case YAML_SCALAR_EVENT:
                anchor = (const char *) ev->data.scalar.anchor;
                id = yaml_document_add_scalar(k->doc, tag_of(ev->data.scalar.tag), ev->data.scalar.value,
                                              (int) ev->data.scalar.length, ev->data.scalar.style);
                break;
        case YAML_SEQUENCE_START_EVENT:
                anchor = (const char *) ev->data.sequence_start.anchor;
                id = yaml_document_add_sequence(k->doc, tag_of(ev->data.sequence_start.tag),
                                                ev->data.sequence_start.style);
                break;
        default:
                anchor = (const char *) ev->data.mapping_start.anchor;
                id = yaml_document_add_mapping(k->doc, tag_of(ev->data.mapping_start.tag),
                                               ev->data.mapping_start.style);
                break;
        }
        if (!id)
                return 0;
        node = yaml_document_get_node(k->doc, id);
        node->start_mark = ev->start_mark;
        node->end_mark = ev->end_mark;
        if (anchor) {
                const struct anchor *first = anchors_find(&k->anchors, anchor);
                struct anchor *v;
                if (first) {
                        composer_error(k->p, "found duplicate anchor; first occurrence", first->mark,
                                       "second occurrence", ev->start_mark);
                        return 0;
                }
                if (k->anchors.n == k->anchors.cap) {
                        size_t cap = k->anchors.cap ? k->anchors.cap * 2 : 8;
                        v = realloc(k->anchors.v, cap * sizeof *v);
                        if (!v)
                                return 0;
                        k->anchors.v = v;
                        k->anchors.cap = cap;
                }
                v = &k->anchors.v[k->anchors.n];
                v->name = strdup(anchor);
                if (!v->name)
                        return 0;
                v->node = id;
                v->mark = ev->start_mark;
                k->anchors.n++;
        }
        return attach(k, id) ? id : 0;
}

/* One event into the document. Returns 1 to go on, 0 when the document
 * ended, -EBADMSG with the parser's error set, -ELOOP when nested too
 * deeply, -ENOMEM. */
static int
compose_event(struct composer *k, yaml_event_t *ev)
{
        const struct anchor *a;
        int id;

        switch (ev->type) {
        case YAML_DOCUMENT_END_EVENT:
                k->doc->end_implicit = ev->data.document_end.implicit;
                k->doc->end_mark = ev->end_mark;
                return 0;
        case YAML_ALIAS_EVENT:
                a = anchors_find(&k->anchors, (const char *) ev->data.alias.anchor);
                if (!a) {
                        composer_error(k->p, NULL, (yaml_mark_t) {}, "found undefined alias", ev->start_mark);
                        return -EBADMSG;
                }
                return attach(k, a->node) ? 1 : -ENOMEM;
        case YAML_SCALAR_EVENT:
                return add_node(k, ev) ? 1 : k->p->error ? -EBADMSG : -ENOMEM;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
                if (k->depth == JF_MAX_DEPTH)
                        return -ELOOP;
                id = add_node(k, ev);
                if (!id)
                        return k->p->error ? -EBADMSG : -ENOMEM;
                k->stack[k->depth++] = (struct open_node) { .id = id };
                return 1;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                yaml_document_get_node(k->doc, k->stack[--k->depth].id)->end_mark = ev->end_mark;
                return 1;
        default:
                return 1;       /* stream and document starts are handled by the caller */
        }
}

/* The next document of the stream into *doc (initialized here, with no
 * root at the end of the stream). Returns 1, or 0 with the error recorded
 * in @c, or -ENOMEM. */
static int
compose(struct jf_ctx *c, yaml_parser_t *p, const char *text, size_t len, yaml_document_t *doc)
{
        struct composer k = { .p = p, .doc = doc };
        yaml_event_t ev;
        int r;

        /* Up to the document's start, or the stream's end. */
        for (;;) {
                if (!yaml_parser_parse(p, &ev))
                        return yaml_problem(c, p, text, len) == -ENOMEM ? -ENOMEM : 0;
                if (ev.type == YAML_DOCUMENT_START_EVENT || ev.type == YAML_STREAM_END_EVENT)
                        break;
                yaml_event_delete(&ev);
        }
        if (ev.type == YAML_STREAM_END_EVENT) {
                yaml_event_delete(&ev);
                return yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1) ? 1 : -ENOMEM;
        }
        r = yaml_document_initialize(doc, ev.data.document_start.version_directive,
                                     ev.data.document_start.tag_directives.start,
                                     ev.data.document_start.tag_directives.end,
                                     ev.data.document_start.implicit, 1);
        doc->start_mark = ev.start_mark;
        yaml_event_delete(&ev);
        if (!r)
                return -ENOMEM;

        do {
                if (!yaml_parser_parse(p, &ev)) {
                        r = -EBADMSG;
                        break;
                }
                r = compose_event(&k, &ev);
                if (r == -ELOOP)
                        r = jf_error_at(c, &ev.start_mark, 0, NULL, "nested deeper than %d levels",
                                        JF_MAX_DEPTH);
                yaml_event_delete(&ev);
        } while (r == 1);
        anchors_done(&k.anchors);
        if (r == 0)
                return 1;
        yaml_document_delete(doc);
        if (r == -EBADMSG)
                r = yaml_problem(c, p, text, len);
        return r == -ENOMEM ? -ENOMEM : 0;
}

int
jf_load_document(struct jf_ctx *c, const char *text, size_t len, yaml_document_t *ret_doc)
{
        yaml_parser_t parser;
        yaml_document_t doc, next;
        int r;

        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
        r = compose(c, &parser, text, len, &doc);
        if (r != 1) {
                yaml_parser_delete(&parser);
                return r;
        }
        if (!yaml_document_get_root_node(&doc)) {
                /* An empty stream: nothing follows. */
                yaml_parser_delete(&parser);
                *ret_doc = doc;
                return 1;
        }

        /* A second document ("---") would be silently ignored; say so. */
        r = compose(c, &parser, text, len, &next);
        if (r == 1) {
                if (yaml_document_get_root_node(&next))
                        r = jf_error_at(c, &next.start_mark, 0, NULL,
                                        "expected one YAML document, found a second one");
                yaml_document_delete(&next);
        }
        yaml_parser_delete(&parser);
        if (r != 1) {
                yaml_document_delete(&doc);
                return r == -ENOMEM ? r : 0;
        }
        *ret_doc = doc;
        return 1;
}
