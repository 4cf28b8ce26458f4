package frame

// StrCol names a dictionary-encoded string column.
type StrCol int

// The string columns a log format may fill. Later formats add columns at the
// end; the order is the order of columns in diagnostics.
const (
	IP           StrCol = iota // client address (IPv4, IPv6 or host name)
	Method                     // request method, e.g. GET
	Stem                       // URI stem: the path without its query string
	Protocol                   // HTTP version as written, e.g. HTTP/1.1
	Status                     // status code as written, e.g. 200 or CloudFront's 000
	Referer                    // Referer header, "" when absent or "-"
	UserAgent                  // User-Agent header
	User                       // authenticated user (combined/common), "" when "-"
	Host                       // virtual host or Host header
	EdgeLocation               // CloudFront x-edge-location
	EdgeResult                 // CloudFront x-edge-result-type
	Scheme                     // CloudFront cs-protocol (http, https, ws, wss)
	TLSVersion                 // CloudFront ssl-protocol
	ContentType                // CloudFront sc-content-type
	TargetStatus               // the backend's status behind a load balancer (ALB target_status_code), "" when none answered
	Bucket                     // S3 bucket (S3 server access logs)
	Operation                  // S3 operation, e.g. REST.GET.OBJECT
	ErrorCode                  // an error code the server names (S3 NoSuchKey, ALB error_reason)
	Backend                    // the backend that served the request (ALB target ip:port, Traefik service, HAProxy backend/server)
	Router                     // the route or frontend that took the request (Traefik router, HAProxy frontend)
	ForwardedFor               // the proxies after the client in an X-Forwarded-For list, as written
	Query                      // the query string after '?' in the request target, as written, "" when none
	NumStrCols
)

var strNames = [NumStrCols]string{
	IP: "ip", Method: "method", Stem: "uri_stem", Protocol: "protocol", Status: "status",
	Referer: "referer", UserAgent: "user_agent", User: "user", Host: "host",
	EdgeLocation: "edge_location", EdgeResult: "edge_result_type", Scheme: "scheme",
	TLSVersion: "tls_version", ContentType: "content_type",
	TargetStatus: "target_status", Bucket: "bucket", Operation: "operation", ErrorCode: "error_code",
	Backend: "backend", Router: "router", ForwardedFor: "forwarded_for",
	Query: "query",
}

// String returns the column's stable name, as used in analysis requirements.
func (c StrCol) String() string {
	if c < 0 || c >= NumStrCols {
		return "str?"
	}
	return strNames[c]
}

// NumCol names a numeric column.
type NumCol int

// The numeric columns. A missing value is NaN, except Bytes, where the log's
// "-" counts as 0 bytes (as the seed notebook treats it).
const (
	Bytes        NumCol = iota // response size in bytes
	TimeTaken                  // seconds to serve the request
	TTFB                       // CloudFront time-to-first-byte, seconds
	UpstreamTime               // seconds the backend took (ALB target_processing_time, nginx $upstream_response_time, HAProxy Tr, S3 turn-around)
	RequestBytes               // request size in bytes, as received
	NumNumCols
)

var numNames = [NumNumCols]string{Bytes: "bytes", TimeTaken: "time_taken", TTFB: "time_to_first_byte",
	UpstreamTime: "upstream_time", RequestBytes: "request_bytes"}

// String returns the column's stable name.
func (c NumCol) String() string {
	if c < 0 || c >= NumNumCols {
		return "num?"
	}
	return numNames[c]
}

// Set is a set of columns, used by formats to say what they fill and by
// analyses to say what they need.
type Set struct {
	Str [NumStrCols]bool
	Num [NumNumCols]bool
}

// Cols builds a Set from column identifiers of either kind.
func Cols(cols ...any) Set {
	var s Set
	for _, c := range cols {
		switch c := c.(type) {
		case StrCol:
			s.Str[c] = true
		case NumCol:
			s.Num[c] = true
		default:
			panic("frame.Cols: not a column")
		}
	}
	return s
}

// Union adds the columns of o to s.
func (s *Set) Union(o Set) {
	for i, v := range o.Str {
		s.Str[i] = s.Str[i] || v
	}
	for i, v := range o.Num {
		s.Num[i] = s.Num[i] || v
	}
}

// Missing lists, by name, the columns of want that s lacks.
func (s Set) Missing(want Set) []string {
	var out []string
	for i, v := range want.Str {
		if v && !s.Str[i] {
			out = append(out, StrCol(i).String())
		}
	}
	for i, v := range want.Num {
		if v && !s.Num[i] {
			out = append(out, NumCol(i).String())
		}
	}
	return out
}
