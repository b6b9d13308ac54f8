package dev.colibri.workspace;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The rows of one rowid table, read in rowid order straight from a {@link PageFile}: the table's
 * b-tree is walked from its root page down the child pointers of its interior pages, exactly the
 * path SQLite itself takes, so the rows seen are the table's rows and nothing else (never a cell
 * left in free space, never a page on the free list). Leaves, usually stored one after another,
 * are read {@value #BLOCK_PAGES} pages per system call.
 *
 * <p>Anything that does not look like a well-formed table b-tree (a page type, a cell or a payload
 * outside its page, a child pointer outside the file, a tree deeper than {@value #MAX_DEPTH}, rowids
 * that do not increase, more pages visited than the file holds) throws an {@link IOException} that
 * says where: the caller then reads through SQLite, which judges the file. Not thread-safe: one
 * cursor per thread.
 */
public final class TableCursor {

    private static final int LEAF = 0x0d;
    private static final int INTERIOR = 0x05;
    private static final int MAX_DEPTH = 20;
    private static final int BLOCK_PAGES = 64;
    /**
     * The largest record read here (64 MiB): a larger one, or a damaged size that claims one, is
     * reported rather than assembled in memory, and its reader goes through SQLite.
     */
    private static final int MAX_PAYLOAD = 64 << 20;

    private final PageFile file;
    private final long root;
    private final int pageSize;
    private final int usable;
    private final byte[][] pages = new byte[MAX_DEPTH][];
    private final long[] pageNumbers = new long[MAX_DEPTH];
    private final int[] cellCount = new int[MAX_DEPTH];
    private final int[] cell = new int[MAX_DEPTH];
    private final ByteBuffer block;
    private final ByteBuffer single;
    private long blockFirst;
    private int blockPages;
    private int leafLevel = -1;
    private int level;
    private long visited;
    private long pageLimit;
    private boolean started;
    private long rowid;
    private byte[] payload;
    private int payloadOffset;
    private int payloadLength;
    private byte[] assembled = new byte[0];
    private final byte[] overflowPage;
    private int at; // the varint reader's position

    /** @param root the page number of the table's root (sqlite_schema's {@code rootpage}) */
    public TableCursor(PageFile file, long root) {
        this.file = file;
        this.root = root;
        this.pageSize = file.pageSize();
        this.usable = file.usableSize();
        this.block = ByteBuffer.allocateDirect(BLOCK_PAGES * pageSize);
        this.single = ByteBuffer.allocateDirect(pageSize);
        this.overflowPage = new byte[pageSize];
    }

    /** Places the cursor before the first row whose rowid is at least {@code from}: {@link #next()} reads it. */
    public void seek(long from) throws IOException {
        started = true;
        visited = 0;
        pageLimit = file.pageCount() + MAX_DEPTH; // no walk of a well-formed tree visits more pages
        level = 0;
        load(0, root);
        while (type(level) == INTERIOR) {
            byte[] p = pages[level];
            int n = cellCount[level];
            int lo = 0;
            int hi = n; // the first cell whose key is >= from; n means the right-most child
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (key(p, mid) < from) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            cell[level] = lo;
            descend(child(level, lo));
        }
        leafLevel = level; // load() let only a leaf or an interior page through
        int i = 0;
        while (i < cellCount[level] && leafRowid(i) < from) {
            i++;
        }
        cell[level] = i - 1;
        rowid = Long.MIN_VALUE;
    }

    /** Moves to the next row; false after the last. */
    public boolean next() throws IOException {
        if (!started) {
            seek(Long.MIN_VALUE);
        }
        while (++cell[level] >= cellCount[level]) { // this leaf is done: up to the next child of a parent
            do {
                if (--level < 0) {
                    level = 0;
                    cell[0] = cellCount[0];
                    return false;
                }
            } while (++cell[level] > cellCount[level]);
            descend(child(level, cell[level]));
            while (type(level) == INTERIOR) {
                cell[level] = 0;
                descend(child(level, 0));
            }
            leafLevel = level;
            cell[level] = -1;
        }
        long previous = rowid;
        readCell(cell[level]);
        if (rowid <= previous) {
            throw malformed(pageNumbers[level], "holds rowid " + rowid + " after rowid " + previous);
        }
        return true;
    }

    public long rowid() {
        return rowid;
    }

    /** The array holding the current row's record (a page, or the record assembled from its overflow pages). */
    public byte[] bytes() {
        return payload;
    }

    public int offset() {
        return payloadOffset;
    }

    public int length() {
        return payloadLength;
    }

    /**
     * Reads the current record's header: each column's serial type (SQLite's record format: 0 NULL,
     * 1-6 integers, 7 a float, 8 and 9 the integers 0 and 1, even from 12 a BLOB of (n-12)/2 bytes,
     * odd from 13 a TEXT of (n-13)/2 bytes) and where its value starts in {@link #bytes()}.
     *
     * @return the number of columns the record has (only the first {@code types.length} are filled in)
     * @throws IOException the header or a value runs past the record
     */
    public int columns(long[] types, int[] offsets, int[] lengths) throws IOException {
        int end = payloadOffset + payloadLength;
        at = payloadOffset;
        long headerSize = varint(payload, end);
        if (headerSize < 1 || headerSize > payloadLength) {
            throw malformed(pageNumbers[level], "holds a record of rowid " + rowid + " whose header claims "
                    + headerSize + " of its " + payloadLength + " bytes");
        }
        int headerEnd = payloadOffset + (int) headerSize;
        int value = headerEnd;
        int n = 0;
        while (at < headerEnd) {
            long type = varint(payload, headerEnd);
            int size = type >= 12 ? (int) Math.min((type - 12) / 2, Integer.MAX_VALUE) : fixedSize(type);
            if (size < 0) {
                throw malformed(pageNumbers[level], "holds a record of rowid " + rowid + " whose column " + n
                        + " has the reserved serial type " + type);
            }
            if (size > end - value) {
                throw malformed(pageNumbers[level], "holds a record of rowid " + rowid + " whose column " + n
                        + " runs past its end");
            }
            if (n < types.length) {
                types[n] = type;
                offsets[n] = value;
                lengths[n] = size;
            }
            value += size;
            n++;
        }
        return n;
    }

    private static int fixedSize(long type) {
        return switch ((int) type) {
            case 0, 8, 9 -> 0;
            case 1, 2, 3, 4 -> (int) type;
            case 5 -> 6;
            case 6, 7 -> 8;
            default -> -1; // 10 and 11 are reserved
        };
    }

    private void descend(long page) throws IOException {
        if (++level >= MAX_DEPTH) {
            throw malformed(pageNumbers[level - 1], "leads to a tree deeper than " + MAX_DEPTH + " levels");
        }
        load(level, page);
    }

    /** Reads page {@code number} as level {@code l} of the path from the root. */
    private void load(int l, long number) throws IOException {
        if (++visited > pageLimit) {
            throw malformed(number, "was reached after more pages than the file holds: the tree has a cycle");
        }
        if (pages[l] == null) {
            pages[l] = new byte[pageSize];
        }
        if (number >= blockFirst && number < blockFirst + blockPages) {
            block.get((int) (number - blockFirst) * pageSize, pages[l], 0, pageSize);
        } else if (l == leafLevel) { // a leaf: read it with the pages after it, most likely the next leaves
            blockPages = file.read(block, number, BLOCK_PAGES);
            blockFirst = number;
            block.get(0, pages[l], 0, pageSize);
        } else {
            file.read(single, number, 1);
            single.get(0, pages[l], 0, pageSize);
        }
        pageNumbers[l] = number;
        int h = header(l);
        int type = pages[l][h] & 0xff;
        if (type != LEAF && type != INTERIOR) {
            throw malformed(number, "is neither a table leaf nor an interior table page (type " + type + ")");
        }
        int n = u16(pages[l], h + 3);
        if (h + (type == LEAF ? 8 : 12) + 2 * n > usable) {
            throw malformed(number, "claims " + n + " cells, more than its " + usable + " bytes can point to");
        }
        cellCount[l] = n;
    }

    private int header(int l) {
        return pageNumbers[l] == 1 ? 100 : 0; // page 1 starts with the file header
    }

    private int type(int l) {
        return pages[l][header(l)] & 0xff;
    }

    private int cellPointer(int l, int i) throws IOException {
        int h = header(l);
        int p = u16(pages[l], h + (type(l) == LEAF ? 8 : 12) + 2 * i);
        if (p < h || p >= usable) {
            throw malformed(pageNumbers[l], "points its cell " + i + " at byte " + p + ", outside its content");
        }
        return p;
    }

    /** The child page left of interior cell {@code i}, or the right-most child when {@code i} is the cell count. */
    private long child(int l, int i) throws IOException {
        byte[] p = pages[l];
        int offset = i == cellCount[l] ? header(l) + 8 : cellPointer(l, i);
        if (offset + 4 > usable) {
            throw malformed(pageNumbers[l], "has a child pointer past its end");
        }
        return u32(p, offset);
    }

    private long key(byte[] p, int i) throws IOException {
        at = cellPointer(level, i) + 4;
        return varint(p, usable);
    }

    private long leafRowid(int i) throws IOException {
        at = cellPointer(level, i);
        varint(pages[level], usable);
        return varint(pages[level], usable);
    }

    private void readCell(int i) throws IOException {
        byte[] p = pages[level];
        at = cellPointer(level, i);
        long size = varint(p, usable);
        rowid = varint(p, usable);
        if (size > MAX_PAYLOAD) {
            throw malformed(pageNumbers[level], "holds a record of rowid " + rowid + " of " + size
                    + " bytes, more than the " + MAX_PAYLOAD + " read here");
        }
        int total = (int) size;
        int maxLocal = usable - 35;
        if (total <= maxLocal) {
            if (at + total > usable) {
                throw malformed(pageNumbers[level], "holds a record of rowid " + rowid + " that runs past the page");
            }
            payload = p;
            payloadOffset = at;
            payloadLength = total;
            return;
        }
        int minLocal = (usable - 12) * 32 / 255 - 23;
        int local = minLocal + (total - minLocal) % (usable - 4);
        if (local > maxLocal) {
            local = minLocal;
        }
        if (at + local + 4 > usable) {
            throw malformed(pageNumbers[level], "holds a record of rowid " + rowid + " that runs past the page");
        }
        if (assembled.length < total) {
            assembled = new byte[Math.max(total, assembled.length * 2)];
        }
        System.arraycopy(p, at, assembled, 0, local);
        long next = u32(p, at + local);
        for (int filled = local; filled < total;) {
            if (next < 1 || ++visited > pageLimit) {
                throw malformed(pageNumbers[level], "holds a record of rowid " + rowid
                        + " whose overflow chain leads to page " + next);
            }
            file.read(single, next, 1);
            single.get(0, overflowPage, 0, pageSize);
            int n = Math.min(usable - 4, total - filled);
            System.arraycopy(overflowPage, 4, assembled, filled, n);
            filled += n;
            next = u32(overflowPage, 0);
        }
        payload = assembled;
        payloadOffset = 0;
        payloadLength = total;
    }

    /** SQLite's varint at {@link #at} (1 to 9 bytes, big-endian, 7 bits a byte but 8 in the ninth). */
    private long varint(byte[] p, int end) throws IOException {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            if (at >= end) {
                throw malformed(pageNumbers[level], "has a number running past byte " + end);
            }
            int b = p[at++] & 0xff;
            v = (v << 7) | (b & 0x7f);
            if (b < 0x80) {
                return v;
            }
        }
        if (at >= end) {
            throw malformed(pageNumbers[level], "has a number running past byte " + end);
        }
        return (v << 8) | (p[at++] & 0xff);
    }

    private static int u16(byte[] p, int i) {
        return ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
    }

    private static long u32(byte[] p, int i) {
        return ((p[i] & 0xffL) << 24) | ((p[i + 1] & 0xff) << 16) | ((p[i + 2] & 0xff) << 8) | (p[i + 3] & 0xff);
    }

    private IOException malformed(long page, String what) {
        return new IOException("page " + page + " of " + file.path() + " (table rooted at page " + root + ") " + what);
    }
}
