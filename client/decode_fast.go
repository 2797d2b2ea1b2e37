package client

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// decodeSeriesFast reads series rows in place, without a map per row: the
// general path (decodeSeries) spends most of a call's CPU building those maps
// and parsing the body twice. It handles the shape LaunchDarkly sends — rows
// of plain keys with number or null values — and reports false for anything
// else (an error, an escaped or non-ASCII key, a repeated key, a key that
// differs from metadata/series only in case), so that the
// general path decides, with its own messages. keys comes from a successful
// json.Unmarshal, so every value in it is valid JSON.
func decodeSeriesFast(keys map[string]json.RawMessage, out *Response) bool {
	for k := range keys {
		for _, name := range [...]string{"metadata", "series"} {
			if k != name && strings.EqualFold(k, name) {
				return false // encoding/json would match it to the field
			}
		}
	}
	var meta []map[string]any
	if raw, ok := keys["metadata"]; ok {
		if err := json.Unmarshal(raw, &meta); err != nil {
			return false
		}
	}
	series, kind, ok := columnsFast(meta, keys["series"])
	if !ok {
		return false
	}
	if meta != nil {
		kind = SeriesList
	}
	out.Series, out.Kind = series, kind
	return true
}

// columnBuilder gathers series for both row readers (columns and
// columnsFast): metadata series first, other keys added as met and sorted at
// the end; the kind is SeriesIntervals when the only value key is "value".
type columnBuilder struct {
	meta    []map[string]any
	index   map[string]int
	series  []Series
	lastRow []int // the last row each series had a value in, to catch repeated keys
}

func newColumnBuilder(meta []map[string]any) *columnBuilder {
	b := &columnBuilder{meta: meta, index: make(map[string]int, len(meta)+1)}
	for i := range meta {
		b.add(strconv.Itoa(i))
	}
	return b
}

// lookup returns the series of key, without allocating when it exists.
func (b *columnBuilder) lookup(key []byte) (int, bool) {
	i, ok := b.index[string(key)]
	return i, ok
}

func (b *columnBuilder) add(key string) int {
	if i, ok := b.index[key]; ok {
		return i
	}
	s := Series{Key: key}
	if n, err := strconv.Atoi(key); err == nil && n >= 0 && n < len(b.meta) {
		s.Meta = b.meta[n]
	}
	b.index[key] = len(b.series)
	b.series = append(b.series, s)
	b.lastRow = append(b.lastRow, -1)
	return len(b.series) - 1
}

func (b *columnBuilder) finish() ([]Series, Kind) {
	extra := b.series[len(b.meta):]
	sort.Slice(extra, func(x, y int) bool { return keyLess(extra[x].Key, extra[y].Key) })
	kind := SeriesList
	if len(b.meta) == 0 && len(b.series) == 1 && b.series[0].Key == "value" {
		kind = SeriesIntervals
	}
	return b.series, kind
}

// cell is one value of a row, kept until the row's time is known.
type cell struct {
	series int
	value  float64
}

// columnsFast is columns over the raw series array. It reports false where
// columns would fail or where it cannot be sure to agree with it.
func columnsFast(meta []map[string]any, raw []byte) ([]Series, Kind, bool) {
	b := newColumnBuilder(meta)
	i := skipSpace(raw, 0)
	if string(raw[i:]) == "null" {
		s, k := b.finish()
		return s, k, true
	}
	if i >= len(raw) || raw[i] != '[' {
		return nil, 0, false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		s, k := b.finish()
		return s, k, skipSpace(raw, i+1) == len(raw)
	}
	var cells []cell
	var nulls map[string]int // keys with a null value → row+1, to catch repeats
	for row := 0; ; row++ {
		if i >= len(raw) || raw[i] != '{' {
			return nil, 0, false
		}
		i = skipSpace(raw, i+1)
		cells = cells[:0]
		haveTime := false
		var t int64
		for i < len(raw) && raw[i] != '}' {
			key, next, ok := plainKey(raw, i)
			if !ok {
				return nil, 0, false
			}
			i = skipSpace(raw, next)
			if i >= len(raw) || raw[i] != ':' {
				return nil, 0, false
			}
			i = skipSpace(raw, i+1)
			tok, next, isNull := numberToken(raw, i)
			i = skipSpace(raw, next)
			isTime := string(key) == "time"
			switch {
			case tok == nil && !isNull: // a value columns refuses
				return nil, 0, false
			case isNull:
				if isTime {
					return nil, 0, false
				}
				if nulls == nil {
					nulls = map[string]int{}
				}
				if nulls[string(key)] == row+1 {
					return nil, 0, false
				}
				if s, ok := b.lookup(key); ok && b.lastRow[s] == row {
					return nil, 0, false
				}
				nulls[string(key)] = row + 1
			case isTime:
				if haveTime {
					return nil, 0, false
				}
				n, err := parseInt64(tok)
				if err != nil {
					return nil, 0, false
				}
				t, haveTime = n, true
			default:
				v, err := strconv.ParseFloat(string(tok), 64)
				if err != nil {
					return nil, 0, false
				}
				s, ok := b.lookup(key)
				if !ok {
					s = b.add(string(key))
				}
				if b.lastRow[s] == row || nulls != nil && nulls[string(key)] == row+1 {
					return nil, 0, false
				}
				b.lastRow[s] = row
				cells = append(cells, cell{s, v})
			}
			if i < len(raw) && raw[i] == ',' {
				i = skipSpace(raw, i+1)
			} else if i >= len(raw) || raw[i] != '}' {
				return nil, 0, false
			}
		}
		if !haveTime || i >= len(raw) {
			return nil, 0, false
		}
		for _, c := range cells {
			s := &b.series[c.series]
			s.Times = append(s.Times, t)
			s.Values = append(s.Values, c.value)
		}
		i = skipSpace(raw, i+1) // past '}'
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
			continue
		}
		if i < len(raw) && raw[i] == ']' && skipSpace(raw, i+1) == len(raw) {
			s, k := b.finish()
			return s, k, true
		}
		return nil, 0, false
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return i >= 0 && len(b)-i >= len(p) && string(b[i:i+len(p)]) == p
}

// plainKey reads a JSON string at b[i] that needs no unescaping and is ASCII,
// so that its bytes are the key encoding/json would produce. It returns the
// key and the index after the closing quote.
func plainKey(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c >= 0x80 || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// numberToken returns the JSON number at b[i] and the index after it; for
// null, no token, the index after it and true; for any other value, no token,
// i and false.
func numberToken(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) {
		return nil, i, false
	}
	if c := b[i]; c != '-' && (c < '0' || c > '9') {
		if hasPrefixAt(b, i, "null") {
			return nil, i + 4, true
		}
		return nil, i, false
	}
	j := i + 1
	for j < len(b) {
		c := b[j]
		if (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
			j++
			continue
		}
		break
	}
	return b[i:j], j, false
}
