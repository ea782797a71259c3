/* The raw-byte watch's start-tag scan in C (s2s/ctf/rawscan.py, _START_THEN_BLANK).
 *
 * start_then_blank(piece) returns whether the bytes-like `piece` holds a match of
 *
 *     <[^/<>][^/<>]*+(?:/|>[\t-\r\x1c-\x20]*+(?:</|[\x80-\xff]))
 *
 * that is, a start tag that holds a "/" (closes itself), or that is followed by white space
 * (Python's str.isspace among ASCII) and then an end tag or a byte past ASCII: an element that
 * may be empty. The same answer as `bool(_START_THEN_BLANK.search(piece))`, which stops in
 * Python's regex engine at every "<" and costs about as much as parsing a third of the file;
 * this stops at each "<" in a few machine instructions. rawscan.py uses the regex when this
 * module was not built (no C compiler at install time), and the tests compare the two.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static inline int is_name_byte(unsigned char c)
{
    /* [^/<>] */
    return c != '/' && c != '<' && c != '>';
}

static inline int is_blank(unsigned char c)
{
    /* [\t-\r\x1c-\x20]: the ASCII characters for which str.isspace() is true */
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
}

static int scan(const unsigned char *p, Py_ssize_t n)
{
    const unsigned char *end = p + n;
    const unsigned char *at = p;
    while (at < end) {
        const unsigned char *lt = memchr(at, '<', (size_t)(end - at));
        if (lt == NULL)
            return 0;
        const unsigned char *q = lt + 1;
        at = q;
        if (q >= end || !is_name_byte(*q))
            continue;
        q++;
        while (q < end && is_name_byte(*q))
            q++;
        if (q >= end)
            return 0;  /* the tag runs past the piece: no match from here on */
        if (*q == '/')
            return 1;
        if (*q == '<') {
            at = q;
            continue;
        }
        /* *q == '>' */
        q++;
        while (q < end && is_blank(*q))
            q++;
        if (q < end && *q >= 0x80)
            return 1;
        if (q + 1 < end && q[0] == '<' && q[1] == '/')
            return 1;
        at = q;
    }
    return 0;
}

static PyObject *start_then_blank(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    int found;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    found = scan((const unsigned char *)view.buf, view.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyBool_FromLong(found);
}

static PyMethodDef methods[] = {
    {"start_then_blank", start_then_blank, METH_O,
     "Return whether the bytes hold a start tag that closes itself or may be empty."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_leafscan",
    "The raw-byte watch's start-tag scan in C (see s2s/ctf/rawscan.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__leafscan(void)
{
    return PyModule_Create(&module);
}
