#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: ./src/errors.ts
/** An error in what the user gave us (a source, a flag, an archive): one line, exit code 2. */
class InputError extends Error {
    exitCode = 2;
    constructor(message) {
        super(message);
        this.name = 'InputError';
    }
}
/** The one line to show for any thrown value; never a stack trace. */
function oneLine(err) {
    const msg = err instanceof Error ? err.message : String(err);
    return msg.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

;// CONCATENATED MODULE: external "node:events"
const external_node_events_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:stream/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./node_modules/fzstd/esm/index.mjs
// Some numerical data is initialized as -1 even when it doesn't need initialization to help the JIT infer types
// aliases for shorter compressed code (most minifers don't do this)
var ab = ArrayBuffer, u8 = Uint8Array, u16 = Uint16Array, i16 = Int16Array, u32 = (/* unused pure expression or super */ null && (Uint32Array)), i32 = Int32Array;
var slc = function (v, s, e) {
    if (u8.prototype.slice)
        return u8.prototype.slice.call(v, s, e);
    if (s == null || s < 0)
        s = 0;
    if (e == null || e > v.length)
        e = v.length;
    var n = new u8(e - s);
    n.set(v.subarray(s, e));
    return n;
};
var fill = function (v, n, s, e) {
    if (u8.prototype.fill)
        return u8.prototype.fill.call(v, n, s, e);
    if (s == null || s < 0)
        s = 0;
    if (e == null || e > v.length)
        e = v.length;
    for (; s < e; ++s)
        v[s] = n;
    return v;
};
var cpw = function (v, t, s, e) {
    if (u8.prototype.copyWithin)
        return u8.prototype.copyWithin.call(v, t, s, e);
    if (s == null || s < 0)
        s = 0;
    if (e == null || e > v.length)
        e = v.length;
    while (s < e) {
        v[t++] = v[s++];
    }
};
/**
 * Codes for errors generated within this library
 */
var ZstdErrorCode = {
    InvalidData: 0,
    WindowSizeTooLarge: 1,
    InvalidBlockType: 2,
    FSEAccuracyTooHigh: 3,
    DistanceTooFarBack: 4,
    UnexpectedEOF: 5
};
// error codes
var ec = [
    'invalid zstd data',
    'window size too large (>2046MB)',
    'invalid block type',
    'FSE accuracy too high',
    'match distance too far back',
    'unexpected EOF'
];
var err = function (ind, msg, nt) {
    var e = new Error(msg || ec[ind]);
    e.code = ind;
    if (Error.captureStackTrace)
        Error.captureStackTrace(e, err);
    if (!nt)
        throw e;
    return e;
};
var rb = function (d, b, n) {
    var i = 0, o = 0;
    for (; i < n; ++i)
        o |= d[b++] << (i << 3);
    return o;
};
var b4 = function (d, b) { return (d[b] | (d[b + 1] << 8) | (d[b + 2] << 16) | (d[b + 3] << 24)) >>> 0; };
// read Zstandard frame header
var rzfh = function (dat, w) {
    var n3 = dat[0] | (dat[1] << 8) | (dat[2] << 16);
    if (n3 == 0x2FB528 && dat[3] == 253) {
        // Zstandard
        var flg = dat[4];
        //    single segment       checksum             dict flag     frame content flag
        var ss = (flg >> 5) & 1, cc = (flg >> 2) & 1, df = flg & 3, fcf = flg >> 6;
        if (flg & 8)
            err(0);
        // byte
        var bt = 6 - ss;
        // dict bytes
        var db = df == 3 ? 4 : df;
        // dictionary id
        var di = rb(dat, bt, db);
        bt += db;
        // frame size bytes
        var fsb = fcf ? (1 << fcf) : ss;
        // frame source size
        var fss = rb(dat, bt, fsb) + ((fcf == 1) && 256);
        // window size
        var ws = fss;
        if (!ss) {
            // window descriptor
            var wb = 1 << (10 + (dat[5] >> 3));
            ws = wb + (wb >> 3) * (dat[5] & 7);
        }
        if (ws > 2145386496)
            err(1);
        var buf = new u8((w == 1 ? (fss || ws) : w ? 0 : ws) + 12);
        buf[0] = 1, buf[4] = 4, buf[8] = 8;
        return {
            b: bt + fsb,
            y: 0,
            l: 0,
            d: di,
            w: (w && w != 1) ? w : buf.subarray(12),
            e: ws,
            o: new i32(buf.buffer, 0, 3),
            u: fss,
            c: cc,
            m: Math.min(131072, ws)
        };
    }
    else if (((n3 >> 4) | (dat[3] << 20)) == 0x184D2A5) {
        // skippable
        return b4(dat, 4) + 8;
    }
    err(0);
};
// most significant bit for nonzero
var msb = function (val) {
    var bits = 0;
    for (; (1 << bits) <= val; ++bits)
        ;
    return bits - 1;
};
// read finite state entropy
var rfse = function (dat, bt, mal) {
    // table pos
    var tpos = (bt << 3) + 4;
    // accuracy log
    var al = (dat[bt] & 15) + 5;
    if (al > mal)
        err(3);
    // size
    var sz = 1 << al;
    // probabilities symbols  repeat   index   high threshold
    var probs = sz, sym = -1, re = -1, i = -1, ht = sz;
    // optimization: single allocation is much faster
    var buf = new ab(512 + (sz << 2));
    var freq = new i16(buf, 0, 256);
    // same view as freq
    var dstate = new u16(buf, 0, 256);
    var nstate = new u16(buf, 512, sz);
    var bb1 = 512 + (sz << 1);
    var syms = new u8(buf, bb1, sz);
    var nbits = new u8(buf, bb1 + sz);
    while (sym < 255 && probs > 0) {
        var bits = msb(probs + 1);
        var cbt = tpos >> 3;
        // mask
        var msk = (1 << (bits + 1)) - 1;
        var val = ((dat[cbt] | (dat[cbt + 1] << 8) | (dat[cbt + 2] << 16)) >> (tpos & 7)) & msk;
        // mask (1 fewer bit)
        var msk1fb = (1 << bits) - 1;
        // max small value
        var msv = msk - probs - 1;
        // small value
        var sval = val & msk1fb;
        if (sval < msv)
            tpos += bits, val = sval;
        else {
            tpos += bits + 1;
            if (val > msk1fb)
                val -= msv;
        }
        freq[++sym] = --val;
        if (val == -1) {
            probs += val;
            syms[--ht] = sym;
        }
        else
            probs -= val;
        if (!val) {
            do {
                // repeat byte
                var rbt = tpos >> 3;
                re = ((dat[rbt] | (dat[rbt + 1] << 8)) >> (tpos & 7)) & 3;
                tpos += 2;
                sym += re;
            } while (re == 3);
        }
    }
    if (sym > 255 || probs)
        err(0);
    var sympos = 0;
    // sym step (coprime with sz - formula from zstd source)
    var sstep = (sz >> 1) + (sz >> 3) + 3;
    // sym mask
    var smask = sz - 1;
    for (var s = 0; s <= sym; ++s) {
        var sf = freq[s];
        if (sf < 1) {
            dstate[s] = -sf;
            continue;
        }
        // This is split into two loops in zstd to avoid branching, but as JS is higher-level that is unnecessary
        for (i = 0; i < sf; ++i) {
            syms[sympos] = s;
            do {
                sympos = (sympos + sstep) & smask;
            } while (sympos >= ht);
        }
    }
    // After spreading symbols, should be zero again
    if (sympos)
        err(0);
    for (i = 0; i < sz; ++i) {
        // next state
        var ns = dstate[syms[i]]++;
        // num bits
        var nb = nbits[i] = al - msb(ns);
        nstate[i] = (ns << nb) - sz;
    }
    return [(tpos + 7) >> 3, {
            b: al,
            s: syms,
            n: nbits,
            t: nstate
        }];
};
// read huffman
var rhu = function (dat, bt) {
    //  index  weight count
    var i = 0, wc = -1;
    //    buffer             header byte
    var buf = new u8(292), hb = dat[bt];
    // huffman weights
    var hw = buf.subarray(0, 256);
    // rank count
    var rc = buf.subarray(256, 268);
    // rank index
    var ri = new u16(buf.buffer, 268);
    // NOTE: at this point bt is 1 less than expected
    if (hb < 128) {
        // end byte, fse decode table
        var _a = rfse(dat, bt + 1, 6), ebt = _a[0], fdt = _a[1];
        bt += hb;
        var epos = ebt << 3;
        // last byte
        var lb = dat[bt];
        if (!lb)
            err(0);
        //  state1   state2   state1 bits   state2 bits
        var st1 = 0, st2 = 0, btr1 = fdt.b, btr2 = btr1;
        // fse pos
        // pre-increment to account for original deficit of 1
        var fpos = (++bt << 3) - 8 + msb(lb);
        for (;;) {
            fpos -= btr1;
            if (fpos < epos)
                break;
            var cbt = fpos >> 3;
            st1 += ((dat[cbt] | (dat[cbt + 1] << 8)) >> (fpos & 7)) & ((1 << btr1) - 1);
            hw[++wc] = fdt.s[st1];
            fpos -= btr2;
            if (fpos < epos)
                break;
            cbt = fpos >> 3;
            st2 += ((dat[cbt] | (dat[cbt + 1] << 8)) >> (fpos & 7)) & ((1 << btr2) - 1);
            hw[++wc] = fdt.s[st2];
            btr1 = fdt.n[st1];
            st1 = fdt.t[st1];
            btr2 = fdt.n[st2];
            st2 = fdt.t[st2];
        }
        if (++wc > 255)
            err(0);
    }
    else {
        wc = hb - 127;
        for (; i < wc; i += 2) {
            var byte = dat[++bt];
            hw[i] = byte >> 4;
            hw[i + 1] = byte & 15;
        }
        ++bt;
    }
    // weight exponential sum
    var wes = 0;
    for (i = 0; i < wc; ++i) {
        var wt = hw[i];
        // bits must be at most 11, same as weight
        if (wt > 11)
            err(0);
        wes += wt && (1 << (wt - 1));
    }
    // max bits
    var mb = msb(wes) + 1;
    // table size
    var ts = 1 << mb;
    // remaining sum
    var rem = ts - wes;
    // must be power of 2
    if (rem & (rem - 1))
        err(0);
    hw[wc++] = msb(rem) + 1;
    for (i = 0; i < wc; ++i) {
        var wt = hw[i];
        ++rc[hw[i] = wt && (mb + 1 - wt)];
    }
    // huf buf
    var hbuf = new u8(ts << 1);
    //    symbols                      num bits
    var syms = hbuf.subarray(0, ts), nb = hbuf.subarray(ts);
    ri[mb] = 0;
    for (i = mb; i > 0; --i) {
        var pv = ri[i];
        fill(nb, i, pv, ri[i - 1] = pv + rc[i] * (1 << (mb - i)));
    }
    if (ri[0] != ts)
        err(0);
    for (i = 0; i < wc; ++i) {
        var bits = hw[i];
        if (bits) {
            var code = ri[bits];
            fill(syms, i, code, ri[bits] = code + (1 << (mb - bits)));
        }
    }
    return [bt, {
            n: nb,
            b: mb,
            s: syms
        }];
};
// Tables generated using this:
// https://gist.github.com/101arrowz/a979452d4355992cbf8f257cbffc9edd
// default literal length table
var dllt = /*#__PURE__*/ rfse(/*#__PURE__*/ new u8([
    81, 16, 99, 140, 49, 198, 24, 99, 12, 33, 196, 24, 99, 102, 102, 134, 70, 146, 4
]), 0, 6)[1];
// default match length table
var dmlt = /*#__PURE__*/ rfse(/*#__PURE__*/ new u8([
    33, 20, 196, 24, 99, 140, 33, 132, 16, 66, 8, 33, 132, 16, 66, 8, 33, 68, 68, 68, 68, 68, 68, 68, 68, 36, 9
]), 0, 6)[1];
// default offset code table
var doct = /*#__PURE__ */ rfse(/*#__PURE__*/ new u8([
    32, 132, 16, 66, 102, 70, 68, 68, 68, 68, 36, 73, 2
]), 0, 5)[1];
// bits to baseline
var b2bl = function (b, s) {
    var len = b.length, bl = new i32(len);
    for (var i = 0; i < len; ++i) {
        bl[i] = s;
        s += 1 << b[i];
    }
    return bl;
};
// literal length bits
var llb = /*#__PURE__ */ new u8(( /*#__PURE__ */new i32([
    0, 0, 0, 0, 16843009, 50528770, 134678020, 202050057, 269422093
])).buffer, 0, 36);
// literal length baseline
var llbl = /*#__PURE__ */ b2bl(llb, 0);
// match length bits
var mlb = /*#__PURE__ */ new u8(( /*#__PURE__ */new i32([
    0, 0, 0, 0, 0, 0, 0, 0, 16843009, 50528770, 117769220, 185207048, 252579084, 16
])).buffer, 0, 53);
// match length baseline
var mlbl = /*#__PURE__ */ b2bl(mlb, 3);
// decode huffman stream
var dhu = function (dat, out, hu) {
    var len = dat.length, ss = out.length, lb = dat[len - 1], msk = (1 << hu.b) - 1, eb = -hu.b;
    if (!lb)
        err(0);
    var st = 0, btr = hu.b, pos = (len << 3) - 8 + msb(lb) - btr, i = -1;
    for (; pos > eb && i < ss;) {
        var cbt = pos >> 3;
        var val = (dat[cbt] | (dat[cbt + 1] << 8) | (dat[cbt + 2] << 16)) >> (pos & 7);
        st = ((st << btr) | val) & msk;
        out[++i] = hu.s[st];
        pos -= (btr = hu.n[st]);
    }
    if (pos != eb || i + 1 != ss)
        err(0);
};
// decode huffman stream 4x
// TODO: use workers to parallelize
var dhu4 = function (dat, out, hu) {
    var bt = 6;
    var ss = out.length, sz1 = (ss + 3) >> 2, sz2 = sz1 << 1, sz3 = sz1 + sz2;
    dhu(dat.subarray(bt, bt += dat[0] | (dat[1] << 8)), out.subarray(0, sz1), hu);
    dhu(dat.subarray(bt, bt += dat[2] | (dat[3] << 8)), out.subarray(sz1, sz2), hu);
    dhu(dat.subarray(bt, bt += dat[4] | (dat[5] << 8)), out.subarray(sz2, sz3), hu);
    dhu(dat.subarray(bt), out.subarray(sz3), hu);
};
// read Zstandard block
var rzb = function (dat, st, out) {
    var _a;
    var bt = st.b;
    //    byte 0        block type
    var b0 = dat[bt], btype = (b0 >> 1) & 3;
    st.l = b0 & 1;
    var sz = (b0 >> 3) | (dat[bt + 1] << 5) | (dat[bt + 2] << 13);
    // end byte for block
    var ebt = (bt += 3) + sz;
    if (btype == 1) {
        if (bt >= dat.length)
            return;
        st.b = bt + 1;
        if (out) {
            fill(out, dat[bt], st.y, st.y += sz);
            return out;
        }
        return fill(new u8(sz), dat[bt]);
    }
    if (ebt > dat.length)
        return;
    if (btype == 0) {
        st.b = ebt;
        if (out) {
            out.set(dat.subarray(bt, ebt), st.y);
            st.y += sz;
            return out;
        }
        return slc(dat, bt, ebt);
    }
    if (btype == 2) {
        //    byte 3        lit btype     size format
        var b3 = dat[bt], lbt = b3 & 3, sf = (b3 >> 2) & 3;
        // lit src size  lit cmp sz 4 streams
        var lss = b3 >> 4, lcs = 0, s4 = 0;
        if (lbt < 2) {
            if (sf & 1)
                lss |= (dat[++bt] << 4) | ((sf & 2) && (dat[++bt] << 12));
            else
                lss = b3 >> 3;
        }
        else {
            s4 = sf;
            if (sf < 2)
                lss |= ((dat[++bt] & 63) << 4), lcs = (dat[bt] >> 6) | (dat[++bt] << 2);
            else if (sf == 2)
                lss |= (dat[++bt] << 4) | ((dat[++bt] & 3) << 12), lcs = (dat[bt] >> 2) | (dat[++bt] << 6);
            else
                lss |= (dat[++bt] << 4) | ((dat[++bt] & 63) << 12), lcs = (dat[bt] >> 6) | (dat[++bt] << 2) | (dat[++bt] << 10);
        }
        ++bt;
        // add literals to end - can never overlap with backreferences because unused literals always appended
        var buf = out ? out.subarray(st.y, st.y + st.m) : new u8(st.m);
        // starting point for literals
        var spl = buf.length - lss;
        if (lbt == 0)
            buf.set(dat.subarray(bt, bt += lss), spl);
        else if (lbt == 1)
            fill(buf, dat[bt++], spl);
        else {
            // huffman table
            var hu = st.h;
            if (lbt == 2) {
                var hud = rhu(dat, bt);
                // subtract description length
                lcs += bt - (bt = hud[0]);
                st.h = hu = hud[1];
            }
            else if (!hu)
                err(0);
            (s4 ? dhu4 : dhu)(dat.subarray(bt, bt += lcs), buf.subarray(spl), hu);
        }
        // num sequences
        var ns = dat[bt++];
        if (ns) {
            if (ns == 255)
                ns = (dat[bt++] | (dat[bt++] << 8)) + 0x7F00;
            else if (ns > 127)
                ns = ((ns - 128) << 8) | dat[bt++];
            // symbol compression modes
            var scm = dat[bt++];
            if (scm & 3)
                err(0);
            var dts = [dmlt, doct, dllt];
            for (var i = 2; i > -1; --i) {
                var md = (scm >> ((i << 1) + 2)) & 3;
                if (md == 1) {
                    // rle buf
                    var rbuf = new u8([0, 0, dat[bt++]]);
                    dts[i] = {
                        s: rbuf.subarray(2, 3),
                        n: rbuf.subarray(0, 1),
                        t: new u16(rbuf.buffer, 0, 1),
                        b: 0
                    };
                }
                else if (md == 2) {
                    // accuracy log 8 for offsets, 9 for others
                    _a = rfse(dat, bt, 9 - (i & 1)), bt = _a[0], dts[i] = _a[1];
                }
                else if (md == 3) {
                    if (!st.t)
                        err(0);
                    dts[i] = st.t[i];
                }
            }
            var _b = st.t = dts, mlt = _b[0], oct = _b[1], llt = _b[2];
            var lb = dat[ebt - 1];
            if (!lb)
                err(0);
            var spos = (ebt << 3) - 8 + msb(lb) - llt.b, cbt = spos >> 3, oubt = 0;
            var lst = ((dat[cbt] | (dat[cbt + 1] << 8)) >> (spos & 7)) & ((1 << llt.b) - 1);
            cbt = (spos -= oct.b) >> 3;
            var ost = ((dat[cbt] | (dat[cbt + 1] << 8)) >> (spos & 7)) & ((1 << oct.b) - 1);
            cbt = (spos -= mlt.b) >> 3;
            var mst = ((dat[cbt] | (dat[cbt + 1] << 8)) >> (spos & 7)) & ((1 << mlt.b) - 1);
            for (++ns; --ns;) {
                var llc = llt.s[lst];
                var lbtr = llt.n[lst];
                var mlc = mlt.s[mst];
                var mbtr = mlt.n[mst];
                var ofc = oct.s[ost];
                var obtr = oct.n[ost];
                cbt = (spos -= ofc) >> 3;
                var ofp = 1 << ofc;
                var off = ofp + (((dat[cbt] | (dat[cbt + 1] << 8) | (dat[cbt + 2] << 16) | (dat[cbt + 3] << 24)) >>> (spos & 7)) & (ofp - 1));
                cbt = (spos -= mlb[mlc]) >> 3;
                var ml = mlbl[mlc] + (((dat[cbt] | (dat[cbt + 1] << 8) | (dat[cbt + 2] << 16)) >> (spos & 7)) & ((1 << mlb[mlc]) - 1));
                cbt = (spos -= llb[llc]) >> 3;
                var ll = llbl[llc] + (((dat[cbt] | (dat[cbt + 1] << 8) | (dat[cbt + 2] << 16)) >> (spos & 7)) & ((1 << llb[llc]) - 1));
                cbt = (spos -= lbtr) >> 3;
                lst = llt.t[lst] + (((dat[cbt] | (dat[cbt + 1] << 8)) >> (spos & 7)) & ((1 << lbtr) - 1));
                cbt = (spos -= mbtr) >> 3;
                mst = mlt.t[mst] + (((dat[cbt] | (dat[cbt + 1] << 8)) >> (spos & 7)) & ((1 << mbtr) - 1));
                cbt = (spos -= obtr) >> 3;
                ost = oct.t[ost] + (((dat[cbt] | (dat[cbt + 1] << 8)) >> (spos & 7)) & ((1 << obtr) - 1));
                if (off > 3) {
                    st.o[2] = st.o[1];
                    st.o[1] = st.o[0];
                    st.o[0] = off -= 3;
                }
                else {
                    var idx = off - (ll != 0);
                    if (idx) {
                        off = idx == 3 ? st.o[0] - 1 : st.o[idx];
                        if (idx > 1)
                            st.o[2] = st.o[1];
                        st.o[1] = st.o[0];
                        st.o[0] = off;
                    }
                    else
                        off = st.o[0];
                }
                for (var i = 0; i < ll; ++i) {
                    buf[oubt + i] = buf[spl + i];
                }
                oubt += ll, spl += ll;
                var stin = oubt - off;
                if (stin < 0) {
                    var len = -stin;
                    var bs = st.e + stin;
                    if (len > ml)
                        len = ml;
                    for (var i = 0; i < len; ++i) {
                        buf[oubt + i] = st.w[bs + i];
                    }
                    oubt += len, ml -= len, stin = 0;
                }
                for (var i = 0; i < ml; ++i) {
                    buf[oubt + i] = buf[stin + i];
                }
                oubt += ml;
            }
            if (oubt != spl) {
                while (spl < buf.length) {
                    buf[oubt++] = buf[spl++];
                }
            }
            else
                oubt = buf.length;
            if (out)
                st.y += oubt;
            else
                buf = slc(buf, 0, oubt);
        }
        else if (out) {
            st.y += lss;
            if (spl) {
                for (var i = 0; i < lss; ++i) {
                    buf[i] = buf[spl + i];
                }
            }
        }
        else if (spl)
            buf = slc(buf, spl);
        st.b = ebt;
        return buf;
    }
    err(2);
};
// concat
var cct = function (bufs, ol) {
    if (bufs.length == 1)
        return bufs[0];
    var buf = new u8(ol);
    for (var i = 0, b = 0; i < bufs.length; ++i) {
        var chk = bufs[i];
        buf.set(chk, b);
        b += chk.length;
    }
    return buf;
};
/**
 * Decompresses Zstandard data
 * @param dat The input data
 * @param buf The output buffer. If unspecified, the function will allocate
 *            exactly enough memory to fit the decompressed data. If your
 *            data has multiple frames and you know the output size, specifying
 *            it will yield better performance.
 * @returns The decompressed data
 */
function decompress(dat, buf) {
    var bufs = [], nb = +!buf;
    var bt = 0, ol = 0;
    for (; dat.length;) {
        var st = rzfh(dat, nb || buf);
        if (typeof st == 'object') {
            if (nb) {
                buf = null;
                if (st.w.length == st.u) {
                    bufs.push(buf = st.w);
                    ol += st.u;
                }
            }
            else {
                bufs.push(buf);
                st.e = 0;
            }
            for (; !st.l;) {
                var blk = rzb(dat, st, buf);
                if (!blk)
                    err(5);
                if (buf)
                    st.e = st.y;
                else {
                    bufs.push(blk);
                    ol += blk.length;
                    cpw(st.w, 0, blk.length);
                    st.w.set(blk, st.w.length - blk.length);
                }
            }
            bt = st.b + (st.c * 4);
        }
        else
            bt = st;
        dat = dat.subarray(bt);
    }
    return cct(bufs, ol);
}
/**
 * Decompressor for Zstandard streamed data
 */
var Decompress = /*#__PURE__*/ (function () {
    /**
     * Creates a Zstandard decompressor
     * @param ondata The handler for stream data
     */
    function Decompress(ondata) {
        this.ondata = ondata;
        this.c = [];
        this.l = 0;
        this.z = 0;
    }
    /**
     * Pushes data to be decompressed
     * @param chunk The chunk of data to push
     * @param final Whether or not this is the last chunk in the stream
     */
    Decompress.prototype.push = function (chunk, final) {
        if (typeof this.s == 'number') {
            var sub = Math.min(chunk.length, this.s);
            chunk = chunk.subarray(sub);
            this.s -= sub;
        }
        var sl = chunk.length;
        var ncs = sl + this.l;
        if (!this.s) {
            if (final) {
                if (!ncs) {
                    this.ondata(new u8(0), true);
                    return;
                }
                // min for frame + one block
                if (ncs < 5)
                    err(5);
            }
            else if (ncs < 18) {
                this.c.push(chunk);
                this.l = ncs;
                return;
            }
            if (this.l) {
                this.c.push(chunk);
                chunk = cct(this.c, ncs);
                this.c = [];
                this.l = 0;
            }
            if (typeof (this.s = rzfh(chunk)) == 'number')
                return this.push(chunk, final);
        }
        if (typeof this.s != 'number') {
            if (ncs < (this.z || 3)) {
                if (final)
                    err(5);
                this.c.push(chunk);
                this.l = ncs;
                return;
            }
            if (this.l) {
                this.c.push(chunk);
                chunk = cct(this.c, ncs);
                this.c = [];
                this.l = 0;
            }
            if (!this.z && ncs < (this.z = (chunk[this.s.b] & 2) ? 4 : 3 + ((chunk[this.s.b] >> 3) | (chunk[this.s.b + 1] << 5) | (chunk[this.s.b + 2] << 13)))) {
                if (final)
                    err(5);
                this.c.push(chunk);
                this.l = ncs;
                return;
            }
            else
                this.z = 0;
            for (;;) {
                var blk = rzb(chunk, this.s);
                if (!blk) {
                    if (final)
                        err(5);
                    var adc = chunk.subarray(this.s.b);
                    this.s.b = 0;
                    this.c.push(adc), this.l += adc.length;
                    return;
                }
                else {
                    this.ondata(blk, false);
                    cpw(this.s.w, 0, blk.length);
                    this.s.w.set(blk, this.s.w.length - blk.length);
                }
                if (this.s.l) {
                    var rest = chunk.subarray(this.s.b);
                    this.s = this.s.c * 4;
                    this.push(rest, final);
                    return;
                }
            }
        }
        else if (final)
            err(5);
    };
    return Decompress;
}());


;// CONCATENATED MODULE: ./src/image/decompress.ts
/**
 * Chooses a decompressor by the stream's magic bytes, never by the media type a manifest claims: archives
 * from the containerd store hold compressed blobs under tar-looking names, and manifests can be wrong.
 */



/** Output chunk size for zlib: larger chunks mean fewer hops through the scanner. */
const CHUNK = 256 * 1024;
/**
 * Room for several output chunks, so zlib inflates the next chunk on the thread pool while the main thread
 * hashes and parses this one. With the default 16 KiB the two take turns and a core sits idle.
 */
const BUFFERED = 4 * CHUNK;
function sniffCompression(head) {
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)
        return 'gzip';
    if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528)
        return 'zstd';
    return 'none';
}
function createDecompressor(kind) {
    if (kind === 'gzip')
        return external_node_zlib_namespaceObject.createGunzip({ chunkSize: CHUNK, readableHighWaterMark: BUFFERED });
    // Node >= 22.15 (and the action's node24) has zstd in zlib; Node 20 falls back to fzstd (pure JS).
    const native = external_node_zlib_namespaceObject.createZstdDecompress;
    if (native)
        return native({ chunkSize: CHUNK, readableHighWaterMark: BUFFERED });
    return new FzstdTransform();
}
class FzstdTransform extends external_node_stream_namespaceObject.Transform {
    inner;
    constructor() {
        super();
        // fzstd allocates a fresh array per block, so wrapping it without a copy is safe.
        this.inner = new Decompress((data) => {
            if (data.length)
                this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
        });
    }
    _transform(chunk, _enc, cb) {
        try {
            this.inner.push(chunk, false);
            cb();
        }
        catch (err) {
            cb(zstdError(err));
        }
    }
    _flush(cb) {
        try {
            this.inner.push(new Uint8Array(0), true);
            cb();
        }
        catch (err) {
            cb(zstdError(err));
        }
    }
}
function zstdError(err) {
    const msg = err instanceof Error ? err.message : String(err);
    return new Error(`zstd: ${msg}`);
}

;// CONCATENATED MODULE: ./src/inventory/heads.ts
/** ELF program headers (for PT_INTERP) sit within the first few KiB of any real binary. */
const EXEC_HEAD = 4096;
const OS_RELEASE_HEAD = 16 * 1024;
const PACKAGE_DBS = {
    '/var/lib/dpkg/status': 'Package:',
    '/lib/apk/db/installed': 'P:',
};
function headSpec(path, mode) {
    if (path === '/etc/os-release' || path === '/usr/lib/os-release')
        return { keep: OS_RELEASE_HEAD };
    const marker = PACKAGE_DBS[path];
    if (marker)
        return { keep: 0, countLines: marker };
    if (mode & 0o111 || path.includes('/bin/') || path.includes('/sbin/'))
        return { keep: EXEC_HEAD };
    return undefined;
}

;// CONCATENATED MODULE: ./src/inventory/paths.ts
/** Lexical path handling for paths inside an image. Nothing here touches the host file system. */
/**
 * Cleans a tar entry name to an absolute image path ("./a//b/" → "/a/b"). A leading "/" is dropped as tar
 * does. Returns undefined when ".." climbs above the root: such an entry is a finding, never extracted.
 */
function cleanPath(name) {
    const out = [];
    for (const part of name.split('/')) {
        if (part === '' || part === '.')
            continue;
        if (part === '..') {
            if (out.length === 0)
                return undefined;
            out.pop();
        }
        else
            out.push(part);
    }
    return '/' + out.join('/');
}
function dirname(p) {
    const i = p.lastIndexOf('/');
    return i <= 0 ? '/' : p.slice(0, i);
}
function basename(p) {
    return p.slice(p.lastIndexOf('/') + 1);
}
function join(dir, name) {
    return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
/** True when `p` is `dir` itself or lies below it. */
function isWithin(p, dir) {
    if (dir === '/')
        return true;
    return p === dir || (p.startsWith(dir) && p.charCodeAt(dir.length) === 47);
}

;// CONCATENATED MODULE: ./src/inventory/tar.ts
/**
 * A push parser for tar streams. It decodes headers (ustar, pax, GNU long names, base-256 numbers) and
 * hands body bytes to a per-entry sink as sub-arrays of the input: no stream per entry and no copy, which
 * is what makes a layer scan run near the speed of decompression.
 */

const BLOCK = 512;
/** pax and GNU long-name bodies are buffered; a larger one is not a real header. */
const MAX_META = 1 << 20;
const TYPES = {
    '0': 'file',
    '\0': 'file',
    '7': 'file',
    '1': 'hardlink',
    '2': 'symlink',
    '3': 'char',
    '4': 'block',
    '5': 'dir',
    '6': 'fifo',
};
class TarParser {
    onEntry;
    label;
    header = Buffer.alloc(BLOCK);
    headerFill = 0;
    /** Body bytes still to come for the current entry, then padding to skip. */
    bodyLeft = 0;
    padLeft = 0;
    sink;
    meta;
    pax = {};
    paxGlobal = {};
    longName;
    longLink;
    zeroBlocks = 0;
    ended = false;
    offset = 0;
    /** Entries seen, for error messages and tests. */
    entries = 0;
    constructor(onEntry, label = 'tar stream') {
        this.onEntry = onEntry;
        this.label = label;
    }
    get done() {
        return this.ended;
    }
    async push(chunk) {
        let pos = 0;
        const len = chunk.length;
        while (pos < len) {
            if (this.ended)
                return; // bytes after the end-of-archive marker are ignored, as tar does
            if (this.bodyLeft > 0) {
                const n = Math.min(this.bodyLeft, len - pos);
                const part = chunk.subarray(pos, pos + n);
                pos += n;
                this.bodyLeft -= n;
                this.offset += n;
                if (this.meta) {
                    this.meta.parts.push(Buffer.from(part));
                }
                else if (this.sink) {
                    const r = this.sink.write(part);
                    if (r)
                        await r;
                }
                if (this.bodyLeft === 0)
                    await this.finishBody();
                continue;
            }
            if (this.padLeft > 0) {
                const n = Math.min(this.padLeft, len - pos);
                pos += n;
                this.padLeft -= n;
                this.offset += n;
                continue;
            }
            // Header: parse in place when the whole block is in this chunk, else assemble it.
            let block;
            if (this.headerFill === 0 && len - pos >= BLOCK) {
                block = chunk.subarray(pos, pos + BLOCK);
                pos += BLOCK;
            }
            else {
                const n = Math.min(BLOCK - this.headerFill, len - pos);
                chunk.copy(this.header, this.headerFill, pos, pos + n);
                this.headerFill += n;
                pos += n;
                if (this.headerFill < BLOCK)
                    continue;
                this.headerFill = 0;
                block = this.header;
            }
            this.offset += BLOCK;
            await this.onHeader(block);
        }
    }
    /** Call at end of input: a stream cut inside an entry is an error. */
    finish() {
        if (this.ended)
            return;
        if (this.bodyLeft > 0 || this.padLeft > 0 || this.headerFill > 0) {
            throw new InputError(`${this.label} is truncated at byte ${this.offset} (inside entry ${this.entries})`);
        }
        // No end-of-archive marker: tar accepts it, and so do we, once entries ended cleanly.
        this.ended = true;
    }
    async finishBody() {
        if (this.meta) {
            const body = Buffer.concat(this.meta.parts);
            const kind = this.meta.kind;
            this.meta = undefined;
            if (kind === 'pax')
                Object.assign(this.pax, parsePax(body, this.label));
            else if (kind === 'paxGlobal')
                Object.assign(this.paxGlobal, parsePax(body, this.label));
            else if (kind === 'longName')
                this.longName = cString(body);
            else
                this.longLink = cString(body);
            return;
        }
        const sink = this.sink;
        this.sink = undefined;
        if (sink) {
            const r = sink.end();
            if (r)
                await r;
        }
    }
    async onHeader(block) {
        if (isZero(block)) {
            this.zeroBlocks++;
            if (this.zeroBlocks >= 2)
                this.ended = true;
            return;
        }
        if (this.zeroBlocks > 0)
            this.zeroBlocks = 0; // a lone zero block inside an archive: skip it, as GNU tar does
        if (!checksumOk(block)) {
            throw new InputError(`${this.label} is corrupt: bad tar header checksum at byte ${this.offset - BLOCK}`);
        }
        const flag = String.fromCharCode(block[156] ?? 0);
        let size = readNumber(block, 124, 12);
        if (size < 0 || !Number.isSafeInteger(size)) {
            throw new InputError(`${this.label} is corrupt: bad entry size at byte ${this.offset - BLOCK}`);
        }
        const padded = (n) => (BLOCK - (n % BLOCK)) % BLOCK;
        if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
            if (size > MAX_META) {
                throw new InputError(`${this.label} is corrupt: ${size}-byte extended header at byte ${this.offset - BLOCK}`);
            }
            const kind = flag === 'x' ? 'pax' : flag === 'g' ? 'paxGlobal' : flag === 'L' ? 'longName' : 'longLink';
            this.meta = { kind, parts: [], size };
            this.bodyLeft = size;
            this.padLeft = padded(size);
            if (size === 0)
                await this.finishBody();
            return;
        }
        const pax = { ...this.paxGlobal, ...this.pax };
        this.pax = {};
        let name = pax['path'] ?? this.longName ?? headerName(block);
        let linkname = pax['linkpath'] ?? this.longLink ?? cString(block.subarray(157, 257));
        this.longName = undefined;
        this.longLink = undefined;
        if (pax['size'] !== undefined)
            size = paxNumber(pax['size'], 'size', this.label);
        const mode = readNumber(block, 100, 8) & 0o7777;
        const uid = pax['uid'] !== undefined ? paxNumber(pax['uid'], 'uid', this.label) : readNumber(block, 108, 8);
        const gid = pax['gid'] !== undefined ? paxNumber(pax['gid'], 'gid', this.label) : readNumber(block, 116, 8);
        const mtime = pax['mtime'] !== undefined ? Number(pax['mtime']) : readNumber(block, 136, 12);
        // Unknown type flags are regular files (POSIX); GNU 'V' volume labels and 'M' continuations carry no file.
        let type = TYPES[flag] ?? 'file';
        if (type === 'file' && name.endsWith('/') && (flag === '\0' || flag === '0'))
            type = 'dir'; // old V7 dirs
        if (flag === 'V') {
            this.bodyLeft = size;
            this.padLeft = padded(size);
            if (size === 0)
                await this.finishBody();
            return;
        }
        // As in Go's archive/tar: links, devices, fifos and dirs carry no body, whatever the size field says.
        const bodySize = type === 'file' ? size : 0;
        if (name === '')
            name = '.';
        if (type !== 'hardlink' && type !== 'symlink')
            linkname = '';
        this.entries++;
        const header = { name, type, size: bodySize, mode, uid, gid, linkname, mtime };
        this.sink = this.onEntry(header);
        this.bodyLeft = bodySize;
        this.padLeft = padded(bodySize);
        if (bodySize === 0)
            await this.finishBody();
    }
}
function isZero(b) {
    for (let i = 0; i < BLOCK; i += 8) {
        if (b.readBigUInt64LE(i) !== 0n)
            return false;
    }
    return true;
}
function checksumOk(b) {
    const stored = readOctal(b, 148, 8);
    let unsigned = 0;
    let signed = 0;
    for (let i = 0; i < BLOCK; i++) {
        const v = i >= 148 && i < 156 ? 32 : b[i];
        unsigned += v;
        signed += v > 127 ? v - 256 : v;
    }
    return stored === unsigned || stored === signed;
}
function cString(b) {
    const z = b.indexOf(0);
    return b.toString('utf8', 0, z === -1 ? b.length : z);
}
function headerName(b) {
    const name = cString(b.subarray(0, 100));
    // POSIX ustar ("ustar\0") splits long names into prefix + name; GNU ("ustar  ") uses those bytes otherwise.
    if (b.toString('latin1', 257, 263) === 'ustar\0') {
        const prefix = cString(b.subarray(345, 500));
        if (prefix)
            return `${prefix}/${name}`;
    }
    return name;
}
function readOctal(b, off, len) {
    let i = off;
    const end = off + len;
    while (i < end && (b[i] === 32 || b[i] === 0))
        i++;
    let v = 0;
    for (; i < end; i++) {
        const c = b[i];
        if (c < 48 || c > 55)
            break;
        v = v * 8 + (c - 48);
    }
    return v;
}
/** Octal, or GNU base-256 when the high bit of the first byte is set (0x80 positive, 0xff negative). */
function readNumber(b, off, len) {
    const first = b[off];
    if (first & 0x80) {
        const negative = first === 0xff;
        let v = 0;
        for (let i = 0; i < len; i++) {
            let c = b[off + i];
            if (i === 0)
                c &= 0x7f;
            if (negative)
                c ^= 0xff;
            v = v * 256 + c;
        }
        return negative ? -(v + 1) : v;
    }
    return readOctal(b, off, len);
}
function paxNumber(s, key, label) {
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < 0)
        throw new InputError(`${label} is corrupt: bad pax ${key} "${s}"`);
    return v;
}
/** pax records: "LEN KEY=VALUE\n", LEN counting the whole record. */
function parsePax(body, label) {
    const out = {};
    let pos = 0;
    while (pos < body.length) {
        if (body[pos] === 0)
            break;
        const sp = body.indexOf(32, pos);
        if (sp === -1)
            break;
        const len = Number(body.toString('latin1', pos, sp));
        if (!Number.isSafeInteger(len) || len <= sp - pos || pos + len > body.length) {
            throw new InputError(`${label} is corrupt: bad pax record`);
        }
        const rec = body.toString('utf8', sp + 1, pos + len - 1);
        const eq = rec.indexOf('=');
        if (eq > 0)
            out[rec.slice(0, eq)] = rec.slice(eq + 1);
        pos += len;
    }
    return out;
}

;// CONCATENATED MODULE: ./src/inventory/scan.ts
/**
 * One pass over one layer: hash the bytes as stored, sniff and decompress, hash the tar, parse the tar,
 * keep a record per entry and the few heads that rules need. Nothing is buffered whole.
 */








async function scanLayer(input, label) {
    const entries = [];
    const escapes = [];
    const parser = new TarParser((h) => onEntry(h, entries, escapes), label);
    const stored = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    let storedSize = 0;
    const it = (Symbol.asyncIterator in input
        ? input[Symbol.asyncIterator]()
        : external_node_stream_namespaceObject.Readable.from(input)[Symbol.asyncIterator]());
    // Sniff from the first bytes; a first chunk shorter than a magic number is joined with the next.
    let first = Buffer.alloc(0);
    let done = false;
    while (first.length < 4 && !done) {
        const r = await it.next();
        if (r.done)
            done = true;
        else
            first = first.length ? Buffer.concat([first, r.value]) : r.value;
    }
    const compression = sniffCompression(first);
    async function* storedBytes() {
        if (first.length) {
            stored.update(first);
            storedSize += first.length;
            yield first;
        }
        if (done)
            return;
        for (let r = await it.next(); !r.done; r = await it.next()) {
            stored.update(r.value);
            storedSize += r.value.length;
            yield r.value;
        }
    }
    let diffId;
    let uncompressedSize = 0;
    try {
        if (compression === 'none') {
            for await (const chunk of storedBytes())
                await parser.push(chunk);
            uncompressedSize = storedSize;
            diffId = '';
        }
        else {
            const tarHash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
            await (0,promises_namespaceObject.pipeline)(external_node_stream_namespaceObject.Readable.from(storedBytes()), createDecompressor(compression), async (source) => {
                for await (const chunk of source) {
                    tarHash.update(chunk);
                    uncompressedSize += chunk.length;
                    await parser.push(chunk);
                }
            });
            diffId = `sha256:${tarHash.digest('hex')}`;
        }
        parser.finish();
    }
    catch (err) {
        throw asInputError(err, label, compression);
    }
    const digest = `sha256:${stored.digest('hex')}`;
    return {
        digest,
        diffId: compression === 'none' ? digest : diffId,
        compression,
        compressedSize: storedSize,
        uncompressedSize,
        entries,
        escapes,
    };
}
function asInputError(err, label, compression) {
    if (err instanceof InputError)
        return err;
    const e = err;
    if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
        return new InputError(`${label} is corrupt: ${compression}: ${e.message}`);
    }
    if (e instanceof Error && e.message.startsWith('zstd:'))
        return new InputError(`${label} is corrupt: ${e.message}`);
    return err instanceof Error ? err : new Error(String(err));
}
function onEntry(h, entries, escapes) {
    const path = cleanPath(h.name);
    if (path === undefined) {
        escapes.push(h.name);
        return undefined;
    }
    let link = null;
    if (h.type === 'symlink')
        link = h.linkname;
    else if (h.type === 'hardlink') {
        const target = cleanPath(h.linkname);
        if (target === undefined) {
            escapes.push(`${h.name} → ${h.linkname}`);
            return undefined;
        }
        link = target;
    }
    const rec = { path, type: h.type, size: h.size, mode: h.mode, uid: h.uid, gid: h.gid, link };
    entries.push(rec);
    if (h.type !== 'file' || h.size === 0)
        return undefined;
    const spec = headSpec(path, h.mode);
    return spec ? new HeadSink(rec, spec) : undefined;
}
/** Keeps the first `keep` bytes and counts package-database records; the rest is drained. */
class HeadSink {
    rec;
    spec;
    parts = [];
    have = 0;
    marker;
    carry = Buffer.from('\n');
    count = 0;
    constructor(rec, spec) {
        this.rec = rec;
        this.spec = spec;
        this.marker = spec.countLines ? Buffer.from(`\n${spec.countLines}`) : undefined;
    }
    write(chunk) {
        if (this.have < this.spec.keep) {
            const part = chunk.subarray(0, this.spec.keep - this.have);
            this.parts.push(Buffer.from(part)); // a copy: the chunk's memory belongs to the decompressor
            this.have += part.length;
        }
        if (this.marker) {
            // A marker may straddle chunks: search the previous tail joined with this chunk's start first.
            const m = this.marker.length;
            const seam = Buffer.concat([this.carry, chunk.subarray(0, m - 1)]);
            for (let i = seam.indexOf(this.marker); i !== -1 && i < this.carry.length; i = seam.indexOf(this.marker, i + 1)) {
                this.count++;
            }
            for (let i = chunk.indexOf(this.marker); i !== -1; i = chunk.indexOf(this.marker, i + 1))
                this.count++;
            const joined = chunk.length >= m - 1 ? chunk : Buffer.concat([this.carry, chunk]);
            this.carry = Buffer.from(joined.subarray(Math.max(0, joined.length - (m - 1))));
        }
    }
    end() {
        if (this.parts.length)
            this.rec.head = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
        if (this.marker)
            this.rec.records = this.count;
    }
}

;// CONCATENATED MODULE: ./src/util/bytes.ts
/** Decimal units, as `docker images` and registries show sizes. */
function formatBytes(n) {
    const sign = n < 0 ? '-' : '';
    let v = Math.abs(n);
    if (v < 1000)
        return `${sign}${v} B`;
    const units = ['kB', 'MB', 'GB', 'TB'];
    let i = -1;
    while (v >= 1000 && i < units.length - 1) {
        v /= 1000;
        i++;
    }
    return `${sign}${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}
function shortDigest(d) {
    const hex = d.includes(':') ? d.slice(d.indexOf(':') + 1) : d;
    return hex.slice(0, 12);
}

;// CONCATENATED MODULE: ./src/image/model.ts
const MEDIA = {
    ociIndex: 'application/vnd.oci.image.index.v1+json',
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
    dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
    dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
};
const LAYER_TYPES = new Set([
    'application/vnd.oci.image.layer.v1.tar',
    'application/vnd.oci.image.layer.v1.tar+gzip',
    'application/vnd.oci.image.layer.v1.tar+zstd',
    'application/vnd.oci.image.layer.nondistributable.v1.tar',
    'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
    'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
    'application/vnd.docker.image.rootfs.diff.tar',
    'application/vnd.docker.image.rootfs.diff.tar.gzip',
    'application/vnd.docker.image.rootfs.diff.tar.zstd',
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);
function isLayerMediaType(t) {
    return LAYER_TYPES.has(t);
}
function isIndexMediaType(t) {
    return t === MEDIA.ociIndex || t === MEDIA.dockerList;
}
function isManifestMediaType(t) {
    return t === MEDIA.ociManifest || t === MEDIA.dockerManifest;
}
/** Layer media type for a Docker archive entry, from the compression actually found. */
function dockerLayerMediaType(compression) {
    if (compression === 'gzip')
        return 'application/vnd.docker.image.rootfs.diff.tar.gzip';
    if (compression === 'zstd')
        return 'application/vnd.oci.image.layer.v1.tar+zstd';
    return 'application/vnd.docker.image.rootfs.diff.tar';
}
/** `created_by` per non-empty layer, from the config history. */
function layerHistory(config, layerCount) {
    const out = (config.history ?? [])
        .filter((h) => !h.empty_layer)
        .map((h) => cleanCreatedBy(h.created_by ?? h.comment));
    // History can be missing or shorter than the layers (squashed or hand-made images).
    return Array.from({ length: layerCount }, (_, i) => out[i] ?? null);
}
function cleanCreatedBy(s) {
    if (!s)
        return null;
    return s
        .replace(/^\/bin\/sh -c #\(nop\)\s+/, '')
        .replace(/^\/bin\/sh -c /, 'RUN ')
        .trim();
}

;// CONCATENATED MODULE: ./src/image/platform.ts

const DEFAULT_PLATFORM = { os: 'linux', architecture: 'amd64' };
/** "linux/arm64/v8" → Platform; "all" is handled by the caller. */
function parsePlatform(s) {
    const parts = s.split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/i.test(p))) {
        throw new InputError(`bad --platform "${s}": expected os/arch[/variant], e.g. linux/amd64, or "all"`);
    }
    const [os, architecture, variant] = parts;
    return variant ? { os, architecture, variant } : { os, architecture };
}
function formatPlatform(p) {
    return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}
/** arm64 images often omit the v8 variant; treat it as the default, as containerd does. */
function normVariant(p) {
    if (p.architecture === 'arm64' && (p.variant === undefined || p.variant === 'v8'))
        return '';
    return p.variant ?? '';
}
function platformMatches(want, have) {
    if (want.os !== have.os || want.architecture !== have.architecture)
        return false;
    return want.variant === undefined || normVariant(want) === normVariant(have);
}
/**
 * Picks from the platforms an index offers: the requested one; by default linux/amd64, else the only one;
 * otherwise a clear error that lists what is there.
 */
function choosePlatforms(items, platformOf, choice) {
    if (choice === 'all')
        return items;
    const list = () => items.map((t) => formatPlatform(platformOf(t))).join(', ');
    if (choice) {
        const hit = items.find((t) => platformMatches(choice, platformOf(t)));
        if (!hit)
            throw new InputError(`platform ${formatPlatform(choice)} is not in this image; it has: ${list()}`);
        return [hit];
    }
    const amd64 = items.find((t) => platformMatches(DEFAULT_PLATFORM, platformOf(t)));
    if (amd64)
        return [amd64];
    if (items.length === 1)
        return items;
    throw new InputError(`this image has several platforms (${list()}); choose one with --platform, or --platform all`);
}

;// CONCATENATED MODULE: ./src/image/oci.ts
/**
 * Resolving OCI/Docker indexes and manifests to images, and verifying what was scanned against them.
 * Shared by every source; the sources only say how to fetch a JSON blob and how to scan a layer.
 */





/** JSON metadata blobs larger than this are not metadata. */
const MAX_JSON_BLOB = 16 * 1024 * 1024;
const REF_NAME = 'org.opencontainers.image.ref.name';
function sha256(buf) {
    return `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(buf).digest('hex')}`;
}
function parseJson(buf, what) {
    try {
        return JSON.parse(buf.toString('utf8'));
    }
    catch {
        throw new InputError(`${what} is not valid JSON`);
    }
}
/** Checks a blob's bytes against the digest that names it. */
function verifyDigest(actual, expected, what) {
    if (!/^sha256:[0-9a-f]{64}$/.test(expected)) {
        throw new InputError(`${what}: unsupported or malformed digest "${expected}" (only sha256 is supported)`);
    }
    if (actual !== expected) {
        throw new InputError(`${what}: digest mismatch: expected ${expected}, content is ${actual}`);
    }
}
function isDescriptor(d) {
    const x = d;
    return !!x && typeof x.digest === 'string' && typeof x.size === 'number';
}
/**
 * Walks from an index (or a manifest) down to the manifests of the chosen platforms. `refName` picks
 * among the top-level entries of an OCI layout by their ref-name annotation.
 */
async function resolveImages(top, fetch, choice, where, refName, topDescriptor) {
    const leaves = [];
    if (Array.isArray(top.manifests)) {
        let entries = top.manifests.filter(isDescriptor);
        if (refName !== undefined) {
            const named = entries.filter((d) => d.annotations?.[REF_NAME] === refName);
            if (!named.length) {
                const names = entries.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
                throw new InputError(`${where} has no image named "${refName}"${names.length ? `; it has: ${names.join(', ')}` : ''}`);
            }
            entries = named;
        }
        await collect(entries, 0);
    }
    else {
        const desc = topDescriptor ?? { mediaType: MEDIA.ociManifest, digest: '', size: 0 };
        leaves.push({ desc, manifest: validateManifest(top, desc.digest || where) });
    }
    if (!leaves.length)
        throw new InputError(`${where} holds no image manifest`);
    async function collect(descs, depth) {
        if (depth > 4)
            throw new InputError(`${where}: indexes nested too deep`);
        for (const d of descs) {
            if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
                continue;
            if (d.platform && d.platform.os === 'unknown')
                continue;
            const what = `manifest ${d.digest} in ${where}`;
            const doc = parseJson(await fetch(d, `manifest ${shortDigest(d.digest)}`), what);
            const mt = doc.mediaType ?? d.mediaType;
            if (isIndexMediaType(mt) || Array.isArray(doc.manifests)) {
                await collect(doc.manifests.filter(isDescriptor), depth + 1);
            }
            else if (isManifestMediaType(mt) ||
                doc.config ||
                doc.schemaVersion === 1) {
                leaves.push({ desc: d, manifest: validateManifest(doc, d.digest) });
            }
            else {
                throw new InputError(`${where}: unsupported manifest media type "${mt ?? 'none'}" (${shortDigest(d.digest)})`);
            }
        }
    }
    // Platforms come from the index descriptor when present, else from the config.
    const withConfig = await Promise.all(leaves.map(async ({ desc, manifest }) => {
        const config = parseJson(await fetch(manifest.config, 'config'), `config ${manifest.config.digest}`);
        return { descriptor: desc, manifest, config, platform: desc.platform ?? platformOfConfig(config) };
    }));
    return choosePlatforms(withConfig, (r) => r.platform, choice);
}
function validateManifest(m, what) {
    const mt = m.mediaType;
    if (mt === MEDIA.dockerSchema1 || mt === MEDIA.dockerSchema1Signed || m.schemaVersion === 1) {
        throw new InputError(`manifest ${what} is Docker schema 1, which is not supported; re-push the image with a current Docker`);
    }
    if (!isDescriptor(m.config) || !Array.isArray(m.layers) || !m.layers.every(isDescriptor)) {
        throw new InputError(`manifest ${what} is malformed: it needs a config descriptor and a layers list`);
    }
    for (const l of m.layers) {
        if (!isLayerMediaType(l.mediaType)) {
            throw new InputError(`layer ${shortDigest(l.digest)} has an unsupported media type "${l.mediaType}"`);
        }
    }
    return m;
}
function platformOfConfig(c) {
    const p = { os: c.os ?? 'unknown', architecture: c.architecture ?? 'unknown' };
    if (c.variant)
        p.variant = c.variant;
    return p;
}
function checkPlatform(choice, have, where) {
    if (choice && choice !== 'all' && !platformMatches(choice, have)) {
        throw new InputError(`${where} is ${formatPlatform(have)}, not ${formatPlatform(choice)}`);
    }
}
function diffIdsOf(config, layerCount, where) {
    const ids = config.rootfs?.diff_ids;
    if (!Array.isArray(ids) || ids.length !== layerCount) {
        throw new InputError(`${where}: the config lists ${Array.isArray(ids) ? ids.length : 'no'} diff_ids for ${layerCount} layers`);
    }
    return ids;
}
/** Verifies scanned layers against the manifest and config, and builds the image. */
function assembleImage(args) {
    const { scans, config } = args;
    const diffIds = diffIdsOf(config, scans.length, `image ${args.source}`);
    const history = layerHistory(config, scans.length);
    const layers = scans.map((scan, i) => {
        const desc = args.descriptors?.[i];
        const what = `layer ${i + 1} (${shortDigest(desc?.digest ?? scan.digest)})`;
        if (desc) {
            verifyDigest(scan.digest, desc.digest, what);
            if (desc.size !== scan.compressedSize) {
                throw new InputError(`${what}: size mismatch: manifest says ${desc.size} bytes, blob has ${scan.compressedSize}`);
            }
        }
        const expected = diffIds[i];
        if (scan.diffId !== expected) {
            throw new InputError(`${what}: diff_id mismatch: config says ${expected}, uncompressed content is ${scan.diffId}`);
        }
        return { ...scan, mediaType: args.mediaTypes[i], createdBy: history[i] ?? null };
    });
    return {
        source: args.source,
        digest: args.digest,
        configDigest: args.configDigest,
        platform: args.platform,
        config,
        tags: args.tags,
        layers,
    };
}

;// CONCATENATED MODULE: ./src/image/archive.ts
/**
 * Single-pass reader for image archives: `docker save` (Docker 20.10 legacy, Docker 25+ OCI-in-tar, the
 * containerd store's compressed blobs, skopeo's layer.tar symlinks) and oci-archive.
 *
 * In every format the file that names the layers comes after the layers, so each blob is scanned as it
 * passes, keyed by its path, and the image is assembled at the end. No layer is buffered and the archive
 * is never copied: `docker save` can be streamed straight in.
 */












/** The whole archive, read once: blobs by path, and links (skopeo's layer.tar symlinks). */
class ArchiveContents {
    label;
    blobs = new Map();
    links = new Map();
    constructor(label) {
        this.label = label;
    }
    resolve(path) {
        let p = path;
        for (let hops = 0; hops < 16; hops++) {
            const target = this.links.get(p);
            if (target === undefined)
                return p;
            p = target;
        }
        throw new InputError(`${this.label}: symlink loop at ${path}`);
    }
    json(path, what) {
        const blob = this.blobs.get(this.resolve(path));
        if (!blob)
            throw new InputError(`${this.label} has no ${path} (${what})`);
        if (blob.kind !== 'json')
            throw new InputError(`${this.label}: ${path} (${what}) is not JSON metadata`);
        return blob;
    }
    async layer(path, what) {
        const real = this.resolve(path);
        const blob = this.blobs.get(real);
        if (!blob)
            throw new InputError(`${this.label} has no ${path} (${what})`);
        // A small plain tar whose first name starts with "{" was taken for JSON; scan it from memory.
        if (blob.kind === 'json')
            return scanLayer([blob.data], `${what} (${path}) in ${this.label}`);
        return blob.scan;
    }
}
/** Reads an archive stream (a tar, or a gzip/zstd-compressed tar) in one pass. */
async function readArchive(input, label) {
    const contents = new ArchiveContents(label);
    const parser = new TarParser((h) => archive_onEntry(h, contents), `archive ${label}`);
    const it = input[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done)
        throw new InputError(`archive ${label} is empty`);
    const compression = sniffCompression(first.value);
    async function* all() {
        yield first.value;
        for (let r = await it.next(); !r.done; r = await it.next())
            yield r.value;
    }
    try {
        if (compression === 'none') {
            for await (const chunk of all())
                await parser.push(chunk);
        }
        else {
            await (0,promises_namespaceObject.pipeline)(external_node_stream_namespaceObject.Readable.from(all()), createDecompressor(compression), async (src) => {
                for await (const chunk of src)
                    await parser.push(chunk);
            });
        }
        parser.finish();
    }
    catch (err) {
        if (err instanceof InputError)
            throw err;
        const e = err;
        if (e?.code?.startsWith?.('Z_') || String(e?.message).startsWith('zstd:')) {
            throw new InputError(`archive ${label} is corrupt: ${compression}: ${e.message}`);
        }
        throw err;
    }
    if (parser.entries === 0)
        throw new InputError(`${label} is not an image archive (no tar entries)`);
    return contents;
}
function archive_onEntry(h, contents) {
    const rel = cleanPath(h.name);
    if (rel === undefined)
        return undefined;
    const path = rel.slice(1);
    if (h.type === 'symlink' || h.type === 'hardlink') {
        const base = h.type === 'symlink' ? join(dirname(rel), h.linkname) : `/${h.linkname}`;
        const target = cleanPath(h.linkname.startsWith('/') ? h.linkname : base);
        if (target !== undefined)
            contents.links.set(path, target.slice(1));
        return undefined;
    }
    if (h.type !== 'file')
        return undefined;
    return new BlobSink(path, h.size, contents);
}
/** Decides at the first byte whether a blob is JSON metadata (kept) or a layer (scanned as it streams). */
class BlobSink {
    path;
    size;
    contents;
    parts;
    stream;
    scan;
    failed = false;
    constructor(path, size, contents) {
        this.path = path;
        this.size = size;
        this.contents = contents;
    }
    async write(chunk) {
        if (!this.parts && !this.stream)
            this.start(chunk);
        if (this.parts) {
            this.parts.push(Buffer.from(chunk));
            return;
        }
        if (this.failed)
            return; // drain the rest of a blob whose scan already failed
        const s = this.stream;
        if (!s.write(chunk))
            await Promise.race([(0,external_node_events_namespaceObject.once)(s, 'drain'), this.scan]);
    }
    end() {
        if (!this.parts && !this.stream) {
            this.contents.blobs.set(this.path, {
                kind: 'json',
                data: Buffer.alloc(0),
                digest: sha256(Buffer.alloc(0)),
            });
        }
        else if (this.parts) {
            const data = Buffer.concat(this.parts);
            this.contents.blobs.set(this.path, { kind: 'json', data, digest: sha256(data) });
        }
        else {
            this.stream?.end();
        }
    }
    start(first) {
        let i = 0;
        while (i < first.length &&
            (first[i] === 0x20 || first[i] === 0x0a || first[i] === 0x0d || first[i] === 0x09))
            i++;
        const c = first[i];
        if ((c === 0x7b || c === 0x5b) && this.size <= MAX_JSON_BLOB) {
            this.parts = [];
            return;
        }
        const stream = new external_node_stream_namespaceObject.PassThrough({ highWaterMark: 4 * 1024 * 1024 });
        this.stream = stream;
        const scan = scanLayer(stream, `blob ${this.path} in ${this.contents.label}`);
        // Errors surface only if the blob turns out to be a layer of the chosen image.
        this.scan = scan.then(() => undefined, () => {
            this.failed = true;
            stream.resume();
            return undefined;
        });
        this.contents.blobs.set(this.path, { kind: 'layer', scan });
    }
}
/** Digest named by an OCI-style blob path (blobs/sha256/HEX) or a Docker image ID file (HEX.json). */
function digestFromPath(path) {
    const m = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(path) ?? /(?:^|\/)([0-9a-f]{64})\.json$/.exec(path);
    return m ? `sha256:${m[1]}` : undefined;
}
async function imagesFromArchive(contents, opts) {
    const hasDocker = contents.blobs.has('manifest.json');
    const hasOci = contents.blobs.has('index.json');
    // Docker 25+ archives carry both; read manifest.json, since 25.0.0 wrote an OCI manifest with no layers.
    if (opts.format === 'docker-archive' || (opts.format === 'any' && hasDocker)) {
        if (!hasDocker) {
            throw new InputError(`${contents.label} has no manifest.json, so it is not a docker-archive${hasOci ? ' (it looks like an oci-archive)' : ''}`);
        }
        return [await fromDockerManifest(contents, opts)];
    }
    if (!hasOci) {
        throw new InputError(`${contents.label} has neither manifest.json nor index.json: it is not an image archive`);
    }
    return fromOciIndex(contents, opts);
}
async function fromDockerManifest(contents, opts) {
    const where = contents.label;
    const list = parseJson(contents.json('manifest.json', 'manifest').data, `manifest.json in ${where}`);
    if (!Array.isArray(list) ||
        !list.length ||
        !list.every((e) => e && typeof e.Config === 'string' && Array.isArray(e.Layers))) {
        throw new InputError(`manifest.json in ${where} is malformed: expected a list of {Config, RepoTags, Layers}`);
    }
    const entry = pickDockerImage(list, opts.selector, where);
    const cfgPath = contents.resolve(entry.Config);
    const cfg = contents.json(cfgPath, 'config');
    const expectedCfg = digestFromPath(cfgPath);
    if (expectedCfg)
        verifyDigest(cfg.digest, expectedCfg, `config ${entry.Config} in ${where}`);
    const config = parseJson(cfg.data, `config ${entry.Config} in ${where}`);
    const platform = platformOfConfig(config);
    checkPlatform(opts.platform, platform, `image in ${where}`);
    const scans = await Promise.all(entry.Layers.map((p, i) => contents.layer(p, `layer ${i + 1}`)));
    // A blob stored under its digest (Docker 25+, containerd) must hash to that name.
    const descriptors = [];
    entry.Layers.forEach((p, i) => {
        const named = digestFromPath(contents.resolve(p));
        const scan = scans[i];
        if (named)
            verifyDigest(scan.digest, named, `layer ${i + 1} (${p}) in ${where}`);
        descriptors.push({ mediaType: '', digest: scan.digest, size: scan.compressedSize });
    });
    return assembleImage({
        source: opts.source,
        digest: cfg.digest,
        configDigest: cfg.digest,
        platform,
        config,
        tags: entry.RepoTags ?? [],
        scans,
        mediaTypes: scans.map((s) => dockerLayerMediaType(s.compression)),
    });
}
function pickDockerImage(list, sel, where) {
    if (sel.index !== undefined) {
        const e = list[sel.index];
        if (!e)
            throw new InputError(`${where} has ${list.length} image(s); @${sel.index} is out of range`);
        return e;
    }
    if (sel.ref !== undefined) {
        const want = sel.ref.includes(':', sel.ref.lastIndexOf('/') + 1) ? sel.ref : `${sel.ref}:latest`;
        const hit = list.find((e) => (e.RepoTags ?? []).some((t) => t === sel.ref || t === want));
        if (!hit)
            throw new InputError(`${where} has no image tagged "${sel.ref}"; tags: ${tagList(list)}`);
        return hit;
    }
    if (list.length > 1) {
        throw new InputError(`${where} holds ${list.length} images; pick one with :TAG or @INDEX (tags: ${tagList(list)})`);
    }
    return list[0];
}
function tagList(list) {
    return list.map((e, i) => `@${i} ${(e.RepoTags ?? []).join(' ') || '(untagged)'}`).join(', ');
}
async function fromOciIndex(contents, opts) {
    const where = contents.label;
    const index = parseJson(contents.json('index.json', 'index').data, `index.json in ${where}`);
    if (!index || !Array.isArray(index.manifests))
        throw new InputError(`index.json in ${where} is malformed: no manifests list`);
    const blobPath = (d) => `blobs/${d.digest.replace(':', '/')}`;
    const fetch = async (d, what) => {
        const blob = contents.json(blobPath(d), what);
        verifyDigest(blob.digest, d.digest, `${what} in ${where}`);
        return blob.data;
    };
    const resolved = await resolveImages(index, fetch, opts.platform, where, opts.selector.ref);
    return Promise.all(resolved.map(async (r) => {
        const scans = await Promise.all(r.manifest.layers.map((d, i) => contents.layer(blobPath(d), `layer ${i + 1} (${shortDigest(d.digest)})`)));
        return assembleImage({
            source: opts.source,
            digest: r.descriptor.digest,
            configDigest: r.manifest.config.digest,
            platform: r.platform,
            config: r.config,
            tags: r.descriptor.annotations?.['org.opencontainers.image.ref.name']
                ? [r.descriptor.annotations['org.opencontainers.image.ref.name']]
                : [],
            scans,
            descriptors: r.manifest.layers,
            mediaTypes: r.manifest.layers.map((d) => d.mediaType),
        });
    }));
}

;// CONCATENATED MODULE: external "node:fs/promises"
const external_node_fs_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/inventory/scan-pool.ts
/**
 * Scans layer files on worker threads. In-process, every layer shares the main thread for hashing, tar
 * parsing and zlib callbacks, so a second layer adds little; on workers, layers really run in parallel.
 *
 * The worker script is `scan-worker.js` beside this module (the tsc build), or the ncc bundle itself,
 * whose entry points hand over to `startScanWorker` when started as a scan worker. Anywhere else (tests
 * running the TypeScript sources) layers are scanned in-process, with the same code.
 */






const WORKER_FLAG = 'slimgateScanWorker';
const READ_CHUNK = 1024 * 1024;
function scanLayerFile(path, label) {
    return scanLayer((0,external_node_fs_namespaceObject.createReadStream)(path, { highWaterMark: READ_CHUNK }), label);
}
function workerScript() {
    if (process.env['SLIMGATE_WORKERS'] === '0')
        return undefined;
    const here = (0,external_node_url_namespaceObject.fileURLToPath)(import.meta.url);
    const sibling = (0,external_node_path_namespaceObject.join)((0,external_node_path_namespaceObject.dirname)(here), 'scan-worker.js');
    if ((0,external_node_fs_namespaceObject.existsSync)(sibling))
        return sibling;
    // Inside the ncc bundle this module is the bundle file.
    if ((0,external_node_path_namespaceObject.basename)(here) === 'cli.js' || (0,external_node_path_namespaceObject.basename)(here) === 'index.js')
        return here;
    return undefined;
}
function isScanWorker() {
    return !external_node_worker_threads_namespaceObject.isMainThread && !!external_node_worker_threads_namespaceObject.workerData?.[WORKER_FLAG];
}
function startScanWorker() {
    const port = external_node_worker_threads_namespaceObject.parentPort;
    if (!port)
        return;
    port.on('message', (job) => {
        scanLayerFile(job.path, job.label).then((scan) => port.postMessage({ id: job.id, scan }), (err) => port.postMessage({
            id: job.id,
            error: err instanceof Error ? err.message : String(err),
            input: err instanceof InputError,
        }));
    });
}
/** A fixed set of workers; `scan` runs on an idle one, or in-process when workers are unavailable. */
class ScanPool {
    size;
    idle = [];
    all = [];
    waiting = [];
    pending = new Map();
    nextId = 0;
    script;
    constructor(size) {
        this.size = size;
        this.script = size > 1 ? workerScript() : undefined;
    }
    async scan(path, label) {
        if (!this.script)
            return scanLayerFile(path, label);
        const worker = await this.acquire(this.script);
        try {
            return await new Promise((resolve, reject) => {
                const id = this.nextId++;
                this.pending.set(id, { resolve, reject });
                worker.postMessage({ id, path, label });
            });
        }
        finally {
            this.release(worker);
        }
    }
    async close() {
        await Promise.all(this.all.map((w) => w.terminate()));
    }
    acquire(script) {
        const w = this.idle.pop();
        if (w)
            return Promise.resolve(w);
        if (this.all.length < this.size)
            return Promise.resolve(this.spawn(script));
        return new Promise((resolve) => this.waiting.push(resolve));
    }
    release(w) {
        const next = this.waiting.shift();
        if (next)
            next(w);
        else
            this.idle.push(w);
    }
    spawn(script) {
        const w = new external_node_worker_threads_namespaceObject.Worker(script, { workerData: { [WORKER_FLAG]: true } });
        w.on('message', (r) => {
            const p = this.pending.get(r.id);
            if (!p)
                return;
            this.pending.delete(r.id);
            if ('scan' in r)
                p.resolve(revive(r.scan));
            else
                p.reject(r.input ? new InputError(r.error) : new Error(r.error));
        });
        w.on('error', (err) => {
            for (const p of this.pending.values())
                p.reject(err);
            this.pending.clear();
        });
        this.all.push(w);
        return w;
    }
}
/** Structured clone turns Buffers into plain Uint8Arrays; make heads Buffers again, without a copy. */
function revive(scan) {
    for (const e of scan.entries) {
        if (e.head && !Buffer.isBuffer(e.head)) {
            const u = e.head;
            e.head = Buffer.from(u.buffer, u.byteOffset, u.length);
        }
    }
    return scan;
}

;// CONCATENATED MODULE: ./src/util/concurrency.ts
/** Map with at most `limit` calls in flight; results keep input order. */
async function mapLimit(items, limit, fn) {
    const out = new Array(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const i = next++;
            try {
                out[i] = await fn(items[i], i);
            }
            catch (err) {
                failed = true;
                throw err;
            }
        }
    };
    const n = Math.max(1, Math.min(limit, items.length));
    await Promise.all(Array.from({ length: n }, worker));
    return out;
}

;// CONCATENATED MODULE: ./src/image/layout.ts
/** `oci:DIR[:REF]`: an OCI image layout directory. Layers are separate files, so they scan concurrently. */







async function imagesFromLayout(dir, ref, source, opts) {
    const where = `OCI layout ${dir}`;
    const indexBuf = await (0,external_node_fs_promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(dir, 'index.json')).catch(() => {
        throw new InputError(`${where} has no readable index.json`);
    });
    const index = parseJson(indexBuf, `index.json in ${where}`);
    if (!index || !Array.isArray(index.manifests))
        throw new InputError(`index.json in ${where} is malformed: no manifests list`);
    const blobPath = (d) => {
        const [alg, hex] = d.digest.split(':');
        if (alg !== 'sha256' || !/^[0-9a-f]{64}$/.test(hex ?? '')) {
            throw new InputError(`${where}: unsupported or malformed digest "${d.digest}"`);
        }
        return (0,external_node_path_namespaceObject.join)(dir, 'blobs', alg, hex);
    };
    const fetch = async (d, what) => {
        const path = blobPath(d);
        const size = await (0,external_node_fs_promises_namespaceObject.stat)(path).then((s) => s.size, () => {
            throw new InputError(`${where} is missing blob ${d.digest} (${what})`);
        });
        if (size > MAX_JSON_BLOB)
            throw new InputError(`${what} ${d.digest} in ${where} is too large to be metadata (${size} bytes)`);
        const data = await (0,external_node_fs_promises_namespaceObject.readFile)(path);
        verifyDigest(sha256(data), d.digest, `${what} in ${where}`);
        return data;
    };
    const resolved = await resolveImages(index, fetch, opts.platform, where, ref);
    const images = [];
    const pool = new ScanPool(opts.concurrency);
    try {
        for (const r of resolved) {
            const scans = await mapLimit(r.manifest.layers, opts.concurrency, async (d, i) => {
                const path = blobPath(d);
                const label = `layer ${i + 1} (${shortDigest(d.digest)}) in ${where}`;
                await (0,external_node_fs_promises_namespaceObject.open)(path).then((fh) => fh.close(), () => {
                    throw new InputError(`${where} is missing ${label.split(' in ')[0]}`);
                });
                return pool.scan(path, label);
            });
            images.push(assembleImage({
                source,
                digest: r.descriptor.digest,
                configDigest: r.manifest.config.digest,
                platform: r.platform,
                config: r.config,
                tags: ref ? [ref] : [],
                scans,
                descriptors: r.manifest.layers,
                mediaTypes: r.manifest.layers.map((d) => d.mediaType),
            }));
        }
    }
    finally {
        await pool.close();
    }
    return images;
}

;// CONCATENATED MODULE: ./src/image/source.ts
/**
 * Source strings, with skopeo's transport names: docker://REF, docker-daemon:REF,
 * docker-archive:PATH[:REF|@INDEX], oci-archive:PATH[:REF], oci:DIR[:REF]. A bare existing path is sniffed.
 */




function kindOf(path) {
    try {
        const s = (0,external_node_fs_namespaceObject.statSync)(path);
        return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
    }
    catch {
        return undefined;
    }
}
/** Splits "PATH[:REF]" at the first ':' (or '@' when allowed) after which the path exists. */
function splitPath(rest, want, allowAt) {
    if (kindOf(rest) === want)
        return { path: rest };
    for (let i = 1; i < rest.length; i++) {
        const c = rest[i];
        if (c === ':' || (allowAt && c === '@')) {
            const path = rest.slice(0, i);
            if (kindOf(path) === want)
                return { path, tail: rest.slice(i + 1), sep: c };
        }
    }
    return { path: rest };
}
function parseSource(s) {
    if (!s.trim())
        throw new InputError('no image source given');
    const m = /^(docker|docker-daemon|docker-archive|oci-archive|oci):(.*)$/.exec(s);
    if (m) {
        const [, transport, rest = ''] = m;
        if (transport === 'docker') {
            if (!rest.startsWith('//'))
                throw new InputError(`bad source "${s}": write docker://REF`);
            return { kind: 'registry', ref: rest.slice(2) };
        }
        if (transport === 'docker-daemon')
            return { kind: 'daemon', ref: rest };
        if (transport === 'oci') {
            const { path, tail } = splitPath(rest, 'dir', false);
            if (kindOf(path) !== 'dir')
                throw new InputError(`oci: ${path} is not a directory`);
            return tail ? { kind: 'oci', dir: path, ref: tail } : { kind: 'oci', dir: path };
        }
        const { path, tail, sep } = splitPath(rest, 'file', transport === 'docker-archive');
        if (kindOf(path) !== 'file')
            throw new InputError(`${transport}: ${path} is not a file`);
        const selector = {};
        if (tail !== undefined && sep === '@') {
            if (!/^\d+$/.test(tail))
                throw new InputError(`bad source "${s}": @INDEX must be a number`);
            selector.index = Number(tail);
        }
        else if (tail)
            selector.ref = tail;
        return { kind: 'archive', format: transport, path, selector };
    }
    const k = kindOf(s);
    if (k === 'file')
        return { kind: 'archive', format: 'any', path: s, selector: {} };
    if (k === 'dir')
        return { kind: 'oci', dir: s };
    if (/^[./~]/.test(s) || s.endsWith('.tar') || s.endsWith('.tar.gz')) {
        throw new InputError(`${s}: no such file or directory`);
    }
    return { kind: 'registry', ref: s };
}
async function openSource(source, opts) {
    const spec = parseSource(source);
    switch (spec.kind) {
        case 'archive': {
            const contents = await readArchive((0,external_node_fs_namespaceObject.createReadStream)(spec.path, { highWaterMark: 1024 * 1024 }), spec.path);
            return imagesFromArchive(contents, {
                source,
                format: spec.format,
                selector: spec.selector,
                platform: opts.platform,
            });
        }
        case 'oci':
            return imagesFromLayout(spec.dir, spec.ref, source, opts);
        case 'registry':
            throw new InputError(`registry sources are not supported yet: "${spec.ref}" is not a file or directory here`);
        case 'daemon':
            throw new InputError(`docker-daemon sources are not supported yet: save the image with "docker save ${spec.ref} -o image.tar" and pass docker-archive:image.tar`);
    }
}

;// CONCATENATED MODULE: ./src/analysis/base.ts
function parseOsRelease(text) {
    const out = {};
    for (const line of text.split('\n')) {
        const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
        if (m)
            out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
    }
    return out;
}
function detectBase(files) {
    const byPath = new Map(files.map((f) => [f.path, f]));
    const evidence = [];
    const osr = byPath.get('/etc/os-release') ?? byPath.get('/usr/lib/os-release');
    let os = {};
    if (osr?.head) {
        os = parseOsRelease(osr.head.toString('utf8'));
        evidence.push(`${osr.path} ID=${os['ID'] ?? '?'}${os['VERSION_ID'] ? ` VERSION_ID=${os['VERSION_ID']}` : ''}`);
    }
    const dpkg = byPath.get('/var/lib/dpkg/status');
    const apk = byPath.get('/lib/apk/db/installed');
    if (dpkg)
        evidence.push(`/var/lib/dpkg/status: ${dpkg.records ?? 0} packages`);
    if (apk)
        evidence.push(`/lib/apk/db/installed: ${apk.records ?? 0} packages`);
    const statusD = files.some((f) => f.path.startsWith('/var/lib/dpkg/status.d/'));
    if (statusD)
        evidence.push('/var/lib/dpkg/status.d/ (distroless package records)');
    const image = os['ID'] ? `${os['ID']}${os['VERSION_ID'] ? `:${os['VERSION_ID']}` : ''}` : null;
    if (/distroless/i.test(os['PRETTY_NAME'] ?? '') || (statusD && !dpkg && !apk)) {
        return { verdict: 'distroless', image, evidence };
    }
    if (osr || dpkg || apk)
        return { verdict: 'os', image, evidence };
    return {
        verdict: 'scratch',
        image: null,
        evidence: evidence.length ? evidence : ['no os-release and no package database'],
    };
}

;// CONCATENATED MODULE: ./src/analysis/integrity.ts
const RULES = {
    escape: {
        id: 'SG901',
        severity: 'error',
        remediation: 'Rebuild the layer with a normal tool; a ".." entry is a sign of a hand-crafted or malicious tar.',
    },
    'symlink-loop': {
        id: 'SG902',
        severity: 'warning',
        remediation: 'Fix the symlinks in the parent path; the entry cannot be extracted.',
    },
    'dangling-hardlink': {
        id: 'SG903',
        severity: 'warning',
        remediation: 'Make the hard link point at a file that exists in this or a lower layer.',
    },
    'not-a-directory': {
        id: 'SG904',
        severity: 'warning',
        remediation: 'A lower layer has a file where this entry needs a directory; remove one of them.',
    },
};
function integrityFindings(problems) {
    return problems.map((p) => {
        const r = RULES[p.kind];
        return {
            id: r.id,
            category: 'integrity',
            severity: r.severity,
            message: `layer ${p.layer + 1}: ${p.path}: ${p.detail}`,
            path: p.path,
            layer: p.layer,
            remediation: r.remediation,
        };
    });
}

;// CONCATENATED MODULE: ./src/inventory/flatten.ts
/**
 * Flatten: a pure function from layer records (base first) to the final file system, as the OCI image
 * spec's changeset rules and umoci's unpacker apply them.
 *
 * - `.wh.NAME` deletes NAME and everything below it in *lower* layers; `.wh..wh..opq` hides every lower
 *   child of its directory. Whiteouts are applied before the layer's own entries, so they never hide an
 *   entry of their own layer, whatever the order inside the tar.
 * - Within a layer a later duplicate wins. A non-directory replacing a directory removes its subtree; a
 *   directory over a directory only updates its metadata.
 * - Parent directories resolve through symlinks inside the image (like securejoin), clamped at the root
 *   and bounded in hops, so a symlink loop is a finding rather than a hang.
 * - Hard links share their target's inode, also when the target is in a lower layer; each inode's bytes
 *   count once. A regular file's bytes are wasted when its last path is overwritten or deleted.
 */

const MAX_HOPS = 40; // Linux's MAXSYMLINKS
const OPAQUE = '.wh..wh..opq';
const WHITEOUT = '.wh.';
function flatten(layers) {
    return new Flattener(layers.length).run(layers);
}
class Flattener {
    root;
    layerWasted;
    wasted = 0;
    problems = [];
    cacheDir;
    cacheNode;
    constructor(layerCount) {
        this.layerWasted = new Array(layerCount).fill(0);
        this.root = { rec: implicitDir('/'), layer: 0, children: new Map() };
    }
    run(layers) {
        layers.forEach((layer, i) => {
            for (const raw of layer.escapes ?? []) {
                this.problems.push({
                    kind: 'escape',
                    path: raw,
                    layer: i,
                    detail: 'entry climbs out of the root with ".."',
                });
            }
            this.applyWhiteouts(layer.entries, i);
            for (const rec of layer.entries) {
                if (!basename(rec.path).startsWith(WHITEOUT))
                    this.add(rec, i);
            }
        });
        return this.result();
    }
    applyWhiteouts(entries, layer) {
        for (const rec of entries) {
            const name = basename(rec.path);
            if (!name.startsWith(WHITEOUT))
                continue;
            const dir = this.parentOf(rec.path, layer, false);
            if (!dir?.children)
                continue;
            if (name === OPAQUE) {
                for (const child of dir.children.values())
                    this.release(child);
                dir.children.clear();
                this.invalidate();
            }
            else if (!name.startsWith(WHITEOUT + WHITEOUT)) {
                // Other ".wh..wh." names are aufs bookkeeping, not whiteouts.
                const target = name.slice(WHITEOUT.length);
                const victim = dir.children.get(target);
                if (victim) {
                    this.release(victim);
                    dir.children.delete(target);
                    this.invalidate();
                }
            }
        }
    }
    add(rec, layer) {
        if (rec.path === '/') {
            this.root.rec = rec;
            this.root.layer = layer;
            return;
        }
        const parent = this.parentOf(rec.path, layer, true);
        if (!parent?.children)
            return;
        const name = basename(rec.path);
        const existing = parent.children.get(name);
        if (rec.type === 'dir' && existing?.children) {
            existing.rec = rec;
            existing.layer = layer;
            return;
        }
        let inode;
        if (rec.type === 'hardlink') {
            const target = this.lookup(rec.link ?? '', layer);
            if (!target || target.children) {
                const why = target ? 'is a directory' : 'does not exist';
                this.problems.push({
                    kind: 'dangling-hardlink',
                    path: rec.path,
                    layer,
                    detail: `target ${rec.link} ${why}`,
                });
                return;
            }
            if (target === existing)
                return; // a link to itself changes nothing
            inode = target.inode;
            if (inode)
                inode.paths++;
        }
        else if (rec.type === 'file') {
            inode = { rec, layer, paths: 1 };
        }
        if (existing) {
            this.release(existing);
            this.invalidate();
        }
        const node = { rec, layer };
        if (rec.type === 'dir')
            node.children = new Map();
        if (inode)
            node.inode = inode;
        parent.children.set(name, node);
    }
    /** Drops a subtree: every inode that loses its last path turns its bytes into waste. */
    release(node) {
        if (node.children) {
            for (const child of node.children.values())
                this.release(child);
            return;
        }
        const inode = node.inode;
        if (inode && --inode.paths === 0) {
            this.wasted += inode.rec.size;
            this.layerWasted[inode.layer] = (this.layerWasted[inode.layer] ?? 0) + inode.rec.size;
        }
    }
    invalidate() {
        this.cacheDir = undefined;
        this.cacheNode = undefined;
    }
    /** The directory that holds `path`, resolving symlinks on the way; creates missing parents if asked. */
    parentOf(path, layer, create) {
        const slash = path.lastIndexOf('/');
        const dir = slash <= 0 ? '/' : path.slice(0, slash);
        if (dir === this.cacheDir)
            return this.cacheNode;
        const node = this.resolve(dir, layer, create, path);
        // Caching is safe because every removal invalidates, and creation only adds.
        if (node && create) {
            this.cacheDir = dir;
            this.cacheNode = node;
        }
        return node;
    }
    /** Finds the node at `path` without following a symlink in the last component. */
    lookup(path, layer) {
        const parent = this.parentOf(path, layer, false);
        return parent?.children?.get(basename(path));
    }
    resolve(dir, layer, create, forPath) {
        const queue = dir.split('/').filter((c) => c !== '' && c !== '.');
        const trail = [this.root];
        let hops = 0;
        while (queue.length) {
            const c = queue.shift();
            if (c === '..') {
                if (trail.length > 1)
                    trail.pop();
                continue;
            }
            const cur = trail[trail.length - 1];
            const children = cur.children;
            let child = children.get(c);
            if (!child) {
                if (!create)
                    return undefined;
                const path = trail.length === 1 ? `/${c}` : `${pathOf(trail)}/${c}`;
                child = { rec: implicitDir(path), layer, children: new Map() };
                children.set(c, child);
            }
            if (child.rec.type === 'symlink') {
                if (++hops > MAX_HOPS) {
                    this.problems.push({
                        kind: 'symlink-loop',
                        path: forPath,
                        layer,
                        detail: 'too many symlinks in its parent path',
                    });
                    return undefined;
                }
                const target = child.rec.link ?? '';
                if (target.startsWith('/'))
                    trail.length = 1;
                queue.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
                continue;
            }
            if (!child.children) {
                this.problems.push({
                    kind: 'not-a-directory',
                    path: forPath,
                    layer,
                    detail: `${c} in its parent path is not a directory`,
                });
                return undefined;
            }
            trail.push(child);
        }
        return trail[trail.length - 1];
    }
    result() {
        const files = [];
        const seen = new Set();
        let uncompressed = 0;
        const walk = (node, path) => {
            const names = [...node.children.keys()].sort();
            for (const name of names) {
                const child = node.children.get(name);
                const p = path === '/' ? `/${name}` : `${path}/${name}`;
                const src = child.inode?.rec ?? child.rec;
                const f = {
                    path: p,
                    type: child.rec.type,
                    size: src.type === 'file' ? src.size : 0,
                    mode: src.mode,
                    uid: src.uid,
                    gid: src.gid,
                    link: child.rec.link,
                    layer: child.layer,
                };
                if (src.head)
                    f.head = src.head;
                if (src.records !== undefined)
                    f.records = src.records;
                files.push(f);
                if (child.inode && !seen.has(child.inode)) {
                    seen.add(child.inode);
                    uncompressed += child.inode.rec.size;
                }
                if (child.children)
                    walk(child, p);
            }
        };
        walk(this.root, '/');
        return {
            files,
            uncompressed,
            wasted: this.wasted,
            layerWasted: this.layerWasted,
            problems: this.problems,
        };
    }
}
function implicitDir(path) {
    return { path, type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, link: null };
}
function pathOf(trail) {
    return trail[trail.length - 1]?.rec.path ?? '/';
}

;// CONCATENATED MODULE: ./src/report/build.ts
/** Builds the report (pure): scanned image → flattened inventory → JSON document. */





function buildReport(image) {
    const flat = flatten(image.layers);
    const findings = integrityFindings(flat.problems);
    const files = flat.files.map((f) => ({
        path: f.path,
        type: f.type,
        size: f.size,
        mode: f.mode.toString(8).padStart(4, '0'),
        uid: f.uid,
        gid: f.gid,
        link: f.link,
        layer: f.layer,
    }));
    const cfg = image.config.config ?? {};
    const passed = !findings.some((f) => f.severity === 'error');
    return {
        schemaVersion: 1,
        image: {
            source: image.source,
            digest: image.digest,
            configDigest: image.configDigest,
            platform: formatPlatform(image.platform),
            tags: image.tags,
            config: {
                user: cfg.User || null,
                entrypoint: cfg.Entrypoint ?? null,
                cmd: cfg.Cmd ?? null,
                env: cfg.Env ?? [],
                workingDir: cfg.WorkingDir || null,
            },
        },
        size: {
            compressed: image.layers.reduce((n, l) => n + l.compressedSize, 0),
            uncompressed: flat.uncompressed,
            wasted: flat.wasted,
            files: files.length,
        },
        layers: image.layers.map((l, i) => ({
            digest: l.digest,
            diffId: l.diffId,
            mediaType: l.mediaType,
            compressedSize: l.compressedSize,
            uncompressedSize: l.uncompressedSize,
            createdBy: l.createdBy,
            files: l.entries.filter((e) => !basename(e.path).startsWith('.wh.')).length,
            wastedBytes: flat.layerWasted[i] ?? 0,
        })),
        files,
        base: detectBase(flat.files),
        findings,
        budget: { passed: true, checks: [] },
        passed,
    };
}

;// CONCATENATED MODULE: ./src/engine.ts
/** The engine as the CLI and the action use it: source → scanned images → reports. */



/** Two layers at once keeps both cores busy (one parses, zlib inflates on the thread pool); more only adds memory. */
function defaultConcurrency() {
    return Math.max(2, Math.min(4, (0,external_node_os_namespaceObject.availableParallelism)()));
}
async function inspect(source, opts = {}) {
    const images = await openSource(source, {
        platform: opts.platform,
        concurrency: opts.concurrency ?? defaultConcurrency(),
    });
    return images.map(buildReport);
}

;// CONCATENATED MODULE: ./src/report/text.ts
/** Human output of `slimgate inspect` (pure). */

const TOP = 10;
function table(rows, alignRight) {
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
    return rows.map((r) => r
        .map((cell, c) => c === r.length - 1
        ? cell
        : alignRight[c]
            ? cell.padStart(widths[c] ?? 0)
            : cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd());
}
function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}
function truncate(s, n) {
    const one = s.replace(/\s+/g, ' ');
    return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
function largestDirectories(report, n = TOP) {
    const sizes = new Map();
    for (const f of report.files) {
        if (f.type !== 'file')
            continue; // hard links share their target's bytes
        for (let i = f.path.lastIndexOf('/'); i > 0; i = f.path.lastIndexOf('/', i - 1)) {
            const dir = f.path.slice(0, i);
            sizes.set(dir, (sizes.get(dir) ?? 0) + f.size);
        }
    }
    return [...sizes]
        .map(([path, size]) => ({ path, size }))
        .sort((a, b) => b.size - a.size || a.path.localeCompare(b.path))
        .slice(0, n);
}
function renderInspect(r) {
    const out = [];
    out.push(`Image     ${r.image.source}${r.image.tags.length ? `  (${r.image.tags.join(', ')})` : ''}`);
    out.push(`Digest    ${r.image.digest}`);
    out.push(`Platform  ${r.image.platform}`);
    // `docker save` (legacy) stores layers uncompressed: their stored size is not a compressed size.
    const stored = r.layers.length > 0 && r.layers.every((l) => !/gzip|zstd/.test(l.mediaType));
    const compressed = stored
        ? `${formatBytes(r.size.compressed)} stored (layers are uncompressed in this archive)`
        : `${formatBytes(r.size.compressed)} compressed`;
    out.push(`Size      ${formatBytes(r.size.uncompressed)} uncompressed · ${compressed} · ` +
        `${plural(r.size.files, 'file')} · ${formatBytes(r.size.wasted)} wasted`);
    out.push(`Base      ${r.base.verdict}${r.base.image ? ` (${r.base.image})` : ''}`);
    out.push('');
    out.push(`Layers (${r.layers.length})`);
    const rows = [['#', 'compressed', 'uncompressed', 'files', 'wasted', 'created by']];
    r.layers.forEach((l, i) => rows.push([
        String(i + 1),
        formatBytes(l.compressedSize),
        formatBytes(l.uncompressedSize),
        String(l.files),
        formatBytes(l.wastedBytes),
        truncate(l.createdBy ?? `(${shortDigest(l.digest)})`, 70),
    ]));
    out.push(...table(rows, [true, true, true, true, true, false]).map((s) => `  ${s}`));
    out.push('');
    out.push('Largest files (uncompressed)');
    const files = r.files
        .filter((f) => f.type === 'file')
        .sort((a, b) => b.size - a.size || a.path.localeCompare(b.path));
    out.push(...table(files.slice(0, TOP).map((f) => [formatBytes(f.size), f.path]), [true, false]).map((s) => `  ${s}`));
    const dirs = largestDirectories(r);
    if (dirs.length) {
        out.push('');
        out.push('Largest directories (uncompressed)');
        out.push(...table(dirs.map((d) => [formatBytes(d.size), `${d.path}/`]), [true, false]).map((s) => `  ${s}`));
    }
    if (r.findings.length) {
        out.push('');
        out.push(`Findings (${r.findings.length})`);
        for (const f of r.findings)
            out.push(`  ${f.severity.padEnd(7)} ${f.id} ${f.message}`);
    }
    return out.join('\n') + '\n';
}

;// CONCATENATED MODULE: ./src/version.ts
/** Kept equal to package.json's version by a unit test. */
const VERSION = '0.1.0';

;// CONCATENATED MODULE: ./src/cli.ts
/** The `slimgate` CLI. Exit codes: 0 passed, 1 policy failed, 2 usage or input error. */







const USAGE = `Usage:
  slimgate inspect SOURCE [--platform os/arch[/variant]|all] [--json]

SOURCE is one of:
  docker-archive:PATH[:REF|@INDEX]   docker save output (legacy or OCI layout; gzip allowed)
  oci-archive:PATH[:REF]             an OCI layout in a tar
  oci:DIR[:REF]                      an OCI layout directory
  PATH                               an existing archive or layout, format sniffed

Options:
  --platform P   os/arch[/variant], or "all" (default linux/amd64, else the only platform)
  --json         print the report JSON (schemaVersion 1) on stdout
  -h, --help     show this help
  -v, --version  show the version

Exit codes: 0 passed, 1 policy failed, 2 usage or input error.
`;
async function main(argv) {
    let parsed;
    try {
        parsed = (0,external_node_util_namespaceObject.parseArgs)({
            args: argv,
            allowPositionals: true,
            options: {
                platform: { type: 'string' },
                json: { type: 'boolean', default: false },
                concurrency: { type: 'string' },
                help: { type: 'boolean', short: 'h', default: false },
                version: { type: 'boolean', short: 'v', default: false },
            },
        });
    }
    catch (err) {
        throw new InputError(`${oneLine(err)} (see slimgate --help)`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    if (values.version) {
        process.stdout.write(`slimgate ${VERSION}\n`);
        return 0;
    }
    const [command, source, ...extra] = positionals;
    if (!command)
        throw new InputError('no command given (see slimgate --help)');
    if (command !== 'inspect')
        throw new InputError(`unknown command "${command}" (see slimgate --help)`);
    if (!source)
        throw new InputError('inspect needs a SOURCE (see slimgate --help)');
    if (extra.length)
        throw new InputError(`unexpected argument "${extra[0]}"`);
    const platform = values.platform === undefined
        ? undefined
        : values.platform === 'all'
            ? 'all'
            : parsePlatform(values.platform);
    let concurrency;
    if (values.concurrency !== undefined) {
        concurrency = Number(values.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
            throw new InputError(`--concurrency must be a whole number from 1 to 64, not "${values.concurrency}"`);
        }
    }
    const reports = await inspect(source, { platform, concurrency });
    if (values.json) {
        const doc = platform === 'all' ? reports : reports[0];
        process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    }
    else {
        process.stdout.write(reports.map(renderInspect).join('\n'));
    }
    return reports.every((r) => r.passed) ? 0 : 1;
}
function start() {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    }, (err) => {
        const line = err instanceof InputError ? oneLine(err) : `internal error: ${oneLine(err)}`;
        process.stderr.write(`slimgate: ${line}\n`);
        if (process.env['SLIMGATE_DEBUG'] && err instanceof Error)
            process.stderr.write(`${err.stack}\n`);
        process.exitCode = 2;
    });
}
// The bundle is also its own scan worker (see src/inventory/scan-pool.ts).
if (isScanWorker())
    startScanWorker();
else
    start();

