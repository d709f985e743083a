package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
)

// htmlTags are the tags Telegram's parse_mode HTML accepts
// (https://core.telegram.org/bots/api#html-style).
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// ParseHTML checks s as Telegram's HTML subset and returns its visible
// text. It is stricter than Telegram where Telegram is lenient: every "<",
// ">" and "&" that is not markup must be escaped, tags must nest properly,
// and only the documented tags and entities (&lt; &gt; &amp; &quot; and
// numeric ones) are accepted. Errors read like Telegram's
// "can't parse entities" descriptions.
func ParseHTML(s string) (text string, err error) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", fmt.Errorf("can't parse entities: unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+j]
			if end, ok := strings.CutPrefix(tag, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(end))
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("can't parse entities: unmatched end tag at byte offset %d, found \"</%s>\"", i, name)
				}
				stack = stack[:len(stack)-1]
			} else {
				name, attrs, _ := strings.Cut(tag, " ")
				name = strings.ToLower(name)
				if !htmlTags[name] {
					return "", fmt.Errorf("can't parse entities: unsupported start tag %q at byte offset %d", name, i)
				}
				if len(stack) > 0 && (stack[len(stack)-1] == "code" || stack[len(stack)-1] == "pre" && name != "code") {
					return "", fmt.Errorf("can't parse entities: tag %q inside %q at byte offset %d", name, stack[len(stack)-1], i)
				}
				if name == "a" {
					if err := checkHref(attrs); err != nil {
						return "", fmt.Errorf("can't parse entities: %v at byte offset %d", err, i)
					}
				}
				stack = append(stack, name)
			}
			i += j + 1
		case '>':
			return "", fmt.Errorf("can't parse entities: unescaped '>' at byte offset %d", i)
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 0 || j > 12 {
				return "", fmt.Errorf("can't parse entities: unescaped '&' at byte offset %d", i)
			}
			r, ok := decodeEntity(s[i+1 : i+j])
			if !ok {
				return "", fmt.Errorf("can't parse entities: unsupported HTML entity %q at byte offset %d", s[i:i+j+1], i)
			}
			out.WriteString(r)
			i += j + 1
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("can't parse entities: can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return out.String(), nil
}

func decodeEntity(name string) (string, bool) {
	switch name {
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "amp":
		return "&", true
	case "quot":
		return `"`, true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return "", false
	}
	base := 10
	if h, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
		num, base = h, 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || n > 0x10FFFF {
		return "", false
	}
	return string(rune(n)), true
}

// checkHref accepts ` href="..."` with a quoted value free of raw markup.
func checkHref(attrs string) error {
	v, ok := strings.CutPrefix(strings.TrimSpace(attrs), "href=")
	if !ok || len(v) < 2 || (v[0] != '"' && v[0] != '\'') || v[len(v)-1] != v[0] {
		return fmt.Errorf("a tag without a quoted href")
	}
	v = v[1 : len(v)-1]
	if strings.ContainsAny(v, `<>"`) {
		return fmt.Errorf("unescaped character in href")
	}
	if _, err := ParseHTML(v); err != nil {
		return fmt.Errorf("bad entity in href")
	}
	return nil
}

// PlainText returns the visible text of a Telegram HTML string, or s
// itself when it does not parse. Use it to assert on what a person would
// read.
func PlainText(s string) string {
	t, err := ParseHTML(s)
	if err != nil {
		return s
	}
	return t
}

// Links returns the href of every <a> tag in s, unescaped.
func Links(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "<a href=")
		if i < 0 {
			return out
		}
		s = s[i+len("<a href="):]
		if s == "" {
			return out
		}
		q := s[0]
		end := strings.IndexByte(s[1:], q)
		if end < 0 {
			return out
		}
		out = append(out, PlainText(s[1:1+end]))
		s = s[1+end:]
	}
}
