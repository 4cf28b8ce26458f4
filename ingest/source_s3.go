package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// S3Options tune the reading of s3:// inputs.
type S3Options struct {
	// InFlight bounds the objects being downloaded at once, and so the
	// response bodies open; 0 means 8. Read opens as many sources at
	// once as it has workers (Options.Workers), so that many are in
	// flight at most; InFlight must be no fewer, or a reader could wait
	// for ever for a slot held by a source the merge has not reached.
	InFlight int
	// PageSize is the number of keys asked for per listing request; 0
	// means 1000, the most S3 returns.
	PageSize int
	// Since and Until, when not zero, are the window's bounds known
	// before the read (Until excluded): objects whose name dates them
	// wholly outside it are not downloaded (see S3OutsideWindow).
	Since, Until time.Time
}

// S3Listing is what ExpandS3 found.
type S3Listing struct {
	Sources []Source
	// Objects is the number of objects that matched the inputs; Skipped
	// of them were left out by the window, unread.
	Objects, Skipped int
}

// IsS3 reports whether an input names S3 objects (s3://bucket/prefix).
func IsS3(arg string) bool { return strings.HasPrefix(arg, "s3://") }

// s3Input is one s3:// argument: a bucket, the key prefix to list and,
// when the key has wildcards, the pattern (path.Match) keys must match.
type s3Input struct {
	arg, bucket, prefix, pattern string
}

func parseS3(arg string) (s3Input, error) {
	rest, ok := strings.CutPrefix(arg, "s3://")
	if !ok {
		return s3Input{}, fmt.Errorf("%s: not an s3:// address", arg)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return s3Input{}, fmt.Errorf("%s: no bucket (want s3://bucket/prefix)", arg)
	}
	in := s3Input{arg: arg, bucket: bucket, prefix: key}
	if i := strings.IndexAny(key, "*?["); i >= 0 {
		if _, err := path.Match(key, ""); err != nil {
			return s3Input{}, fmt.Errorf("%s: bad pattern: %w", arg, err)
		}
		in.prefix, in.pattern = key[:i], key
	}
	return in, nil
}

// NewS3Client makes an S3 client for AWS S3 or, with an endpoint URL, for
// an S3-compatible store (MinIO, Ceph, a test server) addressed path-style
// (URL/bucket/key). Its credentials come from the standard AWS chain (the
// environment, the shared config and credentials files with AWS_PROFILE,
// SSO, web identity, container and instance roles). With no region
// configured it uses us-east-1; a bucket in another region then answers
// with a redirect, reported with a hint to set AWS_REGION.
func NewS3Client(ctx context.Context, endpoint string) (*s3.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("s3: AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
		// Only when the store asks for them: S3-compatible stores do not
		// all know the newer checksums.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}

// ExpandS3 lists the objects the s3:// arguments name, paging through the
// listing (ListObjectsV2 with its continuation token), and returns one
// source per object in key order, each argument's in turn. Opening a source
// downloads its object: at most opt.InFlight at once, the body streamed
// into the read (its compression found by content, its format detected as
// for a file). An argument that cannot be listed (no such bucket, access
// denied, expired credentials) is an error naming it; the others are still
// listed.
func ExpandS3(ctx context.Context, client *s3.Client, args []string, opt S3Options) (S3Listing, []error) {
	var out S3Listing
	var errs []error
	inFlight := opt.InFlight
	if inFlight <= 0 {
		inFlight = 8
	}
	pageSize := opt.PageSize
	if pageSize <= 0 {
		pageSize = 1000
	}
	slots := make(chan struct{}, inFlight)
	for _, arg := range args {
		in, err := parseS3(arg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		matched, failed := 0, false
		pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{
			Bucket: aws.String(in.bucket), Prefix: aws.String(in.prefix), MaxKeys: aws.Int32(int32(pageSize)),
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: listing: %s", arg, s3Reason(err)))
				failed = true
				break
			}
			for _, obj := range page.Contents {
				key := aws.ToString(obj.Key)
				if strings.HasSuffix(key, "/") || (in.pattern != "" && !matchKey(in.pattern, key)) {
					continue
				}
				matched++
				out.Objects++
				if S3OutsideWindow(key, opt.Since, opt.Until) {
					out.Skipped++
					continue
				}
				src := s3Source(ctx, client, in.bucket, key, aws.ToInt64(obj.Size), slots)
				id := Identity{Name: src.Name, Size: aws.ToInt64(obj.Size), Checksum: "etag:" + strings.Trim(aws.ToString(obj.ETag), `"`)}
				src.ident = func() (Identity, error) { return id, nil }
				out.Sources = append(out.Sources, src)
			}
		}
		if matched == 0 && !failed {
			errs = append(errs, fmt.Errorf("%s: no objects match", arg))
		}
	}
	return out, errs
}

// matchKey matches a key against a pattern whose wildcards do not cross
// a slash, as a shell glob's do not.
func matchKey(pattern, key string) bool {
	ok, _ := path.Match(pattern, key)
	return ok
}

// s3Source is one object as a source. Its open waits for a slot, then sends
// the GET; the slot is given back when the body is closed.
func s3Source(ctx context.Context, client *s3.Client, bucket, key string, size int64, slots chan struct{}) Source {
	name := "s3://" + bucket + "/" + key
	return Source{Name: name,
		size: func() int64 { return size },
		open: func() (io.ReadCloser, error) {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return nil, fmt.Errorf("%s: %w", name, ctx.Err())
			}
			res, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				<-slots
				return nil, fmt.Errorf("%s: %s", name, s3Reason(err))
			}
			return &slotBody{ReadCloser: res.Body, slots: slots}, nil
		}}
}

// slotBody is an object's body that frees its download slot once closed.
type slotBody struct {
	io.ReadCloser
	slots chan struct{}
	once  sync.Once
}

func (b *slotBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { <-b.slots })
	return err
}

// s3Reason says an S3 error in a few words: the service's code and message
// when it sent one ("NoSuchBucket: The specified bucket does not exist"),
// else the error itself.
func s3Reason(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		msg := api.ErrorMessage()
		switch api.ErrorCode() {
		case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
			msg += " (the credentials have expired: renew them, e.g. aws sso login)"
		case "PermanentRedirect", "AuthorizationHeaderMalformed":
			msg += " (the bucket is in another region: set AWS_REGION to it)"
		case "AccessDenied", "Forbidden":
			msg += " (the credentials in use may not list or read this bucket)"
		}
		if msg == "" {
			return api.ErrorCode()
		}
		return api.ErrorCode() + ": " + msg
	}
	return err.Error()
}

// Log names that carry their time, with how far the records inside may lie
// from it.
//
// CloudFront standard logs: DIST.YYYY-MM-DD-HH.unique-id.gz, the hour (UTC)
// of the requests the file holds; CloudFront may deliver an hour's entries
// late, in a file of a later hour (its documentation: "up to 24 hours"), so
// a file named hour H can hold records from H-24h to H+1h.
// (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html)
//
// Elastic Load Balancing (ALB, NLB, CLB):
// ACCOUNT_elasticloadbalancing_REGION_LB_YYYYMMDDTHHMMZ_IP_RANDOM.log.gz,
// the end (UTC) of the interval, of 5 or 60 minutes, the file covers; an
// hour either side is allowed for requests logged as they end.
// (docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html)
var (
	cloudFrontName = regexp.MustCompile(`(?:^|/)[A-Z0-9]+\.(\d{4}-\d\d-\d\d-\d\d)\.[^/]*$`)
	elbName        = regexp.MustCompile(`_elasticloadbalancing_[^/]*_(\d{8}T\d{4}Z)_[^/]*$`)
)

// S3ObjectSpan is the span of times the records of an object named key
// may have, from the CloudFront or load-balancer date in its name; ok is
// false for a name that dates nothing.
func S3ObjectSpan(key string) (from, to time.Time, ok bool) {
	if m := cloudFrontName.FindStringSubmatch(key); m != nil {
		h, err := time.Parse("2006-01-02-15", m[1])
		if err == nil {
			return h.Add(-24 * time.Hour), h.Add(time.Hour), true
		}
	}
	if m := elbName.FindStringSubmatch(key); m != nil {
		end, err := time.Parse("20060102T1504Z", m[1])
		if err == nil {
			return end.Add(-2 * time.Hour), end.Add(time.Hour), true
		}
	}
	return time.Time{}, time.Time{}, false
}

// S3OutsideWindow reports whether the object named key holds, by its name,
// no record in the window [since, until) (a zero bound is open): such an
// object need not be downloaded. A name that dates nothing is never
// outside.
func S3OutsideWindow(key string, since, until time.Time) bool {
	from, to, ok := S3ObjectSpan(key)
	if !ok {
		return false
	}
	return !since.IsZero() && !to.After(since) || !until.IsZero() && !from.Before(until)
}
