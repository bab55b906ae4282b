package main

import (
	"slices"
	"time"

	"github.com/prismhook/prismhook/suites"
	"github.com/spf13/pflag"
)

// settingFlags are flags drawn from suites.Settings: one per setting, with
// the setting's name, default and help. Each one that is set wins over the
// environment (apply).
type settingFlags struct {
	values suites.Config      // where the flags parse to
	ids    map[string]*string // raw values of the check-ID flags, parsed by apply
	names  []string           // the settings bound, in table order
}

// add binds the settings called names (all of them when none) to fl. With
// env, each help names the setting's environment variable.
func (f *settingFlags) add(fl *pflag.FlagSet, env bool, names ...string) {
	f.values = suites.Config{}.WithDefaults()
	f.ids = map[string]*string{}
	for _, s := range suites.Settings {
		if len(names) > 0 && !slices.Contains(names, s.Name) {
			continue
		}
		f.names = append(f.names, s.Name)
		help := s.Usage
		if env {
			help += " (env " + s.Env + ")"
		}
		switch p := s.Field(&f.values).(type) {
		case *string:
			fl.StringVar(p, s.Name, *p, help)
		case *int:
			fl.IntVar(p, s.Name, *p, help)
		case *time.Duration:
			fl.DurationVar(p, s.Name, *p, help)
		case *bool:
			fl.BoolVar(p, s.Name, *p, help)
		case *[]string:
			// Parsed when applied, so that a bad ID is reported as
			// "--only: ..." like any other setting error.
			f.ids[s.Name] = fl.String(s.Name, "", help)
		}
	}
}

// apply copies into c the value of every bound flag that was set on fl.
func (f *settingFlags) apply(fl *pflag.FlagSet, c *suites.Config) error {
	for _, s := range suites.Settings {
		if !slices.Contains(f.names, s.Name) || !fl.Changed(s.Name) {
			continue
		}
		switch dst := s.Field(c).(type) {
		case *string:
			*dst = *s.Field(&f.values).(*string)
		case *int:
			*dst = *s.Field(&f.values).(*int)
		case *time.Duration:
			*dst = *s.Field(&f.values).(*time.Duration)
		case *bool:
			*dst = *s.Field(&f.values).(*bool)
		case *[]string:
			list, err := suites.ParseIDs(*f.ids[s.Name])
			if err != nil {
				return usage("--%s: %v", s.Name, err)
			}
			*dst = list
		}
	}
	return nil
}
