// The Pulumi CLI's reading of stack files, run for real: gopkg.in/yaml.v3 (the version pulumi/pulumi
// pins, 3.0.1) decodes each file as sdk/go/common/workspace/loaders.go does (encoding.YAML.Unmarshal),
// each config value into `any` (sdk/go/common/resource/config/object.go UnmarshalYAML), then the value
// becomes the string the program gets (object.go unmarshalObject + MarshalString), copied here.
// Usage: go run main.go <file>... prints one JSON line per file: {"config": {key: string}} or {"error": "..."}.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// object.go unmarshalObject: what a decoded YAML value becomes (map keys with %v, times with String()).
func normalize(v interface{}) interface{} {
	switch v := v.(type) {
	case time.Time:
		return v.String()
	case map[string]interface{}:
		m := make(map[string]interface{}, len(v))
		for k, e := range v {
			m[k] = normalize(e)
		}
		return m
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(v))
		for k, e := range v {
			m[fmt.Sprintf("%v", k)] = normalize(e)
		}
		return m
	case []interface{}:
		a := make([]interface{}, len(v))
		for i, e := range v {
			a[i] = normalize(e)
		}
		return a
	default:
		return v
	}
}

// object.go MarshalString: a string as it is, anything else as JSON.
func marshalString(v interface{}) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func main() {
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			panic(err)
		}
		var stack struct {
			Config map[string]interface{} `yaml:"config"`
		}
		if err := yaml.Unmarshal(data, &stack); err != nil {
			out.Encode(map[string]string{"error": err.Error()})
			continue
		}
		config := map[string]string{}
		failed := ""
		for k, v := range stack.Config {
			s, err := marshalString(normalize(v))
			if err != nil {
				failed = err.Error()
			}
			config[k] = s
		}
		if failed != "" {
			out.Encode(map[string]string{"error": failed})
		} else {
			out.Encode(map[string]interface{}{"config": config})
		}
	}
}
