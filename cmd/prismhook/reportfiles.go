package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/prismhook/prismhook/suites/report"
	"github.com/spf13/cobra"
)

// reportFiles are the report files a run should write: one path per file
// format of report.Formats ("" for those not asked for, indexed as
// report.Formats); and the annotations it prints on its output (not a
// file).
type reportFiles struct {
	paths       []string
	annotations annotationFormat
}

// addFlags adds one flag per file format of report.Formats, and the flag
// of the stdout formats.
func (r *reportFiles) addFlags(cmd *cobra.Command) {
	r.paths = make([]string, len(report.Formats))
	for i, f := range report.Formats {
		if !f.Stdout {
			cmd.Flags().StringVar(&r.paths[i], f.Flag, "", f.Help)
		}
	}
	cmd.Flags().Var(&r.annotations, "annotations", "print one annotation per failed or warned check, in `FORMAT`: "+stdoutFormatHelp())
}

// pendingReport is a report file being prepared: a temporary file in the
// destination's folder, renamed over the destination once complete, so
// that an existing report is replaced whole or not at all.
type pendingReport struct {
	report.Format
	path string   // as given, for messages
	dest string   // where the report goes: path, or the file a symlink names
	tmp  *os.File // nil when dest is not a regular file (a device, a pipe)
}

type pendingReports []pendingReport

// prepare checks every requested path before the run takes its time: the
// same file twice is a usage error, and an unwritable folder is reported
// now. It creates nothing but temporary files of its own.
func (r reportFiles) prepare() (pendingReports, error) {
	var out pendingReports
	seen := map[string]string{} // destination → flag
	for i, f := range report.Formats {
		if f.Stdout || i >= len(r.paths) || r.paths[i] == "" {
			continue
		}
		p := pendingReport{Format: f, path: r.paths[i]}
		dest, regular, err := destination(p.path)
		if err != nil {
			out.discard()
			return nil, usage("cannot write the %s report: %v", f.Name, err)
		}
		if other, dup := seen[dest]; dup || sameAsSeen(dest, seen, &other) {
			out.discard()
			return nil, usage("--%s and --%s name the same file %s: give each report its own file", other, f.Flag, p.path)
		}
		seen[dest] = f.Flag
		p.dest = dest
		if regular {
			tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
			if err != nil {
				out.discard()
				return nil, usage("cannot write the %s report: %v", f.Name, err)
			}
			p.tmp = tmp
		}
		out = append(out, p)
	}
	return out, nil
}

// destination resolves path to the file to replace: a symlink's target
// (the link stays), else path itself. regular is false for an existing
// file that cannot be replaced by renaming (a device such as /dev/stdout, a
// pipe): such a file is written in place.
func destination(path string) (dest string, regular bool, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false, err
	}
	dest = abs
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		dest = resolved
	} else if target, lerr := os.Readlink(abs); lerr == nil {
		// A dangling link: the file it names is created.
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(abs), target)
		}
		dest = filepath.Clean(target)
	}
	fi, err := os.Stat(dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return dest, true, nil
	case err != nil:
		return "", false, err
	case fi.IsDir():
		return "", false, fmt.Errorf("%s is a directory", path)
	}
	return dest, fi.Mode().IsRegular(), nil
}

// sameAsSeen reports whether dest is, through a hard link, a file already
// seen, and names its flag in other.
func sameAsSeen(dest string, seen map[string]string, other *string) bool {
	fi, err := os.Stat(dest)
	if err != nil {
		return false
	}
	for d, flag := range seen {
		if fj, err := os.Stat(d); err == nil && os.SameFile(fi, fj) {
			*other = flag
			return true
		}
	}
	return false
}

// write renders rep into every file, replaces each destination with its
// complete temporary file, and names them on out. A report that fails
// leaves its destination as it was.
func (rs pendingReports) write(rep *report.Report, out io.Writer) error {
	var errs []string
	for _, r := range rs {
		if err := r.commit(rep); err != nil {
			errs = append(errs, fmt.Sprintf("%s report %s: %v", r.Name, r.path, err))
			continue
		}
		fmt.Fprintf(out, "%s report: %s\n", r.Name, r.path)
	}
	if len(errs) > 0 {
		return usage("%s", strings.Join(errs, "; "))
	}
	return nil
}

func (r pendingReport) commit(rep *report.Report) error {
	if r.tmp == nil {
		f, err := os.OpenFile(r.dest, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = r.Format.Write(f, rep)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	err := r.Format.Write(r.tmp, rep)
	if err == nil {
		err = r.tmp.Chmod(reportMode(r.dest))
	}
	if cerr := r.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(r.tmp.Name(), r.dest)
	}
	if err != nil {
		os.Remove(r.tmp.Name())
	}
	return err
}

// reportMode keeps the mode of a report being replaced; a new one is
// readable by all, as os.Create would make it.
func reportMode(dest string) fs.FileMode {
	if fi, err := os.Stat(dest); err == nil {
		return fi.Mode().Perm()
	}
	return 0o644
}

// discard removes the temporary files of a run that did not happen; the
// destinations are left untouched.
func (rs pendingReports) discard() {
	for _, r := range rs {
		if r.tmp != nil {
			r.tmp.Close()
			os.Remove(r.tmp.Name())
		}
	}
}
