package samtemplate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Resolver evaluates the intrinsic functions a local run needs: Ref,
// Fn::GetAtt, Fn::Sub and Fn::Join over known values.
type Resolver struct {
	Refs  map[string]string // logical ID or parameter -> value of Ref
	Attrs map[string]string // "LogicalID.Attribute" -> value of GetAtt
}

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// String resolves v to a string.
func (r Resolver) String(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case map[string]any:
		return r.intrinsic(x)
	}
	return "", fmt.Errorf("cannot resolve %T %v", v, v)
}

func (r Resolver) intrinsic(m map[string]any) (string, error) {
	if len(m) != 1 {
		return "", fmt.Errorf("not an intrinsic function: %v", m)
	}
	for fn, arg := range m {
		switch fn {
		case "Ref":
			name, _ := arg.(string)
			if v, ok := r.Refs[name]; ok {
				return v, nil
			}
			return "", fmt.Errorf("resolve Ref %s: nothing local stands for it", name)
		case "Fn::GetAtt":
			parts, _ := arg.([]any)
			if len(parts) != 2 {
				return "", fmt.Errorf("resolve Fn::GetAtt %v: want [resource, attribute]", arg)
			}
			key := fmt.Sprint(parts[0]) + "." + fmt.Sprint(parts[1])
			if v, ok := r.Attrs[key]; ok {
				return v, nil
			}
			return "", fmt.Errorf("resolve Fn::GetAtt %s: nothing local stands for it", key)
		case "Fn::Sub":
			s, ok := arg.(string)
			if !ok {
				return "", fmt.Errorf("resolve Fn::Sub: a variables map is not supported locally")
			}
			var err error
			out := subVar.ReplaceAllStringFunc(s, func(m string) string {
				name := subVar.FindStringSubmatch(m)[1]
				var v string
				var e error
				if res, attr, ok := strings.Cut(name, "."); ok {
					v, e = r.String(map[string]any{"Fn::GetAtt": []any{res, attr}})
				} else {
					v, e = r.String(map[string]any{"Ref": name})
				}
				if e != nil && err == nil {
					err = e
				}
				return v
			})
			return out, err
		case "Fn::Join":
			parts, _ := arg.([]any)
			if len(parts) != 2 {
				return "", fmt.Errorf("resolve Fn::Join %v: want [separator, list]", arg)
			}
			sep, _ := parts[0].(string)
			items, _ := parts[1].([]any)
			strs := make([]string, len(items))
			for i, it := range items {
				s, err := r.String(it)
				if err != nil {
					return "", err
				}
				strs[i] = s
			}
			return strings.Join(strs, sep), nil
		}
		return "", fmt.Errorf("%s is not supported locally", fn)
	}
	panic("unreachable")
}
