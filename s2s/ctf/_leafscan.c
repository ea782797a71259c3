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
 *
 * dates_plain(piece) returns True when every text rawscan._DATE_TEXT finds in `piece` is
 * blank or a real date written plainly (CCYY-MM-DD, ASCII white space around it): the common
 * case, answered without a Python object per date; False leaves the texts to rawscan.
 */
#define _GNU_SOURCE /* memmem */
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

static inline int is_strip(unsigned char c)
{
    /* what rawscan._dates_real strips from the bytes: tab, newline, carriage return, space */
    return c == '\t' || c == '\n' || c == '\r' || c == ' ';
}

static int digits(const unsigned char *p, int n)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        value = value * 10 + (p[i] - '0');
    }
    return value;
}

/* Whether text[0:n], its ASCII white space stripped, is empty or a real CCYY-MM-DD date. */
static int plain_date(const unsigned char *text, Py_ssize_t n)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    while (n > 0 && is_strip(text[0])) {
        text++;
        n--;
    }
    while (n > 0 && is_strip(text[n - 1]))
        n--;
    if (n == 0)
        return 1;
    if (n != 10 || text[4] != '-' || text[7] != '-')
        return 0;
    int year = digits(text, 4), month = digits(text + 5, 2), day = digits(text + 8, 2);
    if (year < 1 || month < 1 || month > 12 || day < 1)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= days[month - 1] + (month == 2 && leap);
}

/* Whether the text of every "Date", white space, ">" that an end tag follows ("</") is blank or a
 * real date: each place rawscan._DATE_TEXT could match, and more (it does not skip places
 * inside an earlier match), so True means its findall holds nothing _dates_real refuses. */
static int dates(const unsigned char *p, Py_ssize_t n)
{
    const unsigned char *end = p + n;
    const unsigned char *at = p;
    while (end - at >= 4) {
        const unsigned char *found = memmem(at, (size_t)(end - at), "Date", 4);
        if (found == NULL)
            return 1;
        at = found + 1;
        const unsigned char *q = found + 4;
        while (q < end && is_strip(*q))
            q++;
        if (q >= end || *q != '>')
            continue;
        const unsigned char *text = q + 1;
        const unsigned char *lt = memchr(text, '<', (size_t)(end - text));
        if (lt == NULL || lt + 1 >= end || lt[1] != '/')
            continue;
        if (!plain_date(text, lt - text))
            return 0;
    }
    return 1;
}

static PyObject *dates_plain(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    int plain;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    plain = dates((const unsigned char *)view.buf, view.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyBool_FromLong(plain);
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
    {"dates_plain", dates_plain, METH_O,
     "Return True when every *Date leaf text in the bytes is blank or a real CCYY-MM-DD date."},
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
