package analysis

// Browser and OS families by the product and platform tokens agents
// carry, tried before mssola/useragent, which takes many of them for
// another browser: a browser built on Chrome or WebKit adds its own token
// to theirs (Edg/, OPR/, SamsungBrowser/, YaBrowser/, Vivaldi/), an
// in-app browser adds the app's (FBAN/, Instagram, MicroMessenger), and
// old Opera and Maxthon agents pretend to be MSIE. The tokens are the
// vendors' own, as their agents send them (Microsoft's "Microsoft Edge
// user agent string" page, Opera's, Samsung's and Vivaldi's developer
// pages, MDN's User-Agent reference); testdata/agents.tsv holds real
// agents for each family.

// browserToken is one rule: an agent that contains any of tokens is of
// family. Rules are tried in order, so a browser whose agent also carries
// another's token (Edge carries Chrome's, Opera 7 MSIE's) comes first.
type browserToken struct {
	family string
	tokens []string
}

var browserTokens = []browserToken{
	// In-app browsers: the app's token follows the system web view's.
	{"Facebook (in-app)", []string{"FBAN/", "FBAV/", "FB_IAB/"}},
	{"Instagram (in-app)", []string{"Instagram "}},
	{"WeChat (in-app)", []string{"MicroMessenger", "WindowsWechat", "MacWechat"}},
	// UC Browser before Opera: its agents may carry "Opera Mini".
	{"UC Browser", []string{"UCBrowser", "UCWEB", "UC Browser", "UBrowser/", "UCMobile/"}},
	{"Opera", []string{"OPR/", "Opera", "OPiOS/", "OPT/"}},
	{"Edge", []string{"Edg/", "EdgA/", "EdgiOS/", "Edge/"}},
	{"Samsung Internet", []string{"SamsungBrowser/"}},
	{"Yandex Browser", []string{"YaBrowser/", "YaSearchBrowser", "YaApp_"}},
	{"Vivaldi", []string{"Vivaldi/"}},
	{"Maxthon", []string{"Maxthon", "MAXTHON"}},
	{"Chromium", []string{"Chromium/"}},
	{"SeaMonkey", []string{"SeaMonkey/"}},
	{"Pale Moon", []string{"PaleMoon/"}},
	{"QQ Browser", []string{"QQBrowser/"}},
	{"Amazon Silk", []string{"Silk/"}},
	{"Konqueror", []string{"Konqueror/"}},
	{"Epiphany", []string{"Epiphany/"}},
	{"Internet Explorer", []string{"MSIE ", "Trident/", "IEMobile/"}},
	{"Chrome", []string{"CriOS/"}},
	{"Firefox", []string{"FxiOS/", "Firefox/"}},
}

// tokenBrowser is the browser family the agent names by its product
// tokens (browserTokens, then Brave and web views), or "", by the facts
// its scan found (agentclass.go): f.browser is the first rule of
// browserTokens with a token the agent contains, the words those of
// fixedScanWords.
func tokenBrowser(agent string, f *agentFacts) string {
	if f.browser != noEntry {
		return browserTokens[f.browser].family
	}
	if f.has(wordBraveSlash|wordBraveSpace) || f.lowHasSuffix(agent, " brave") {
		return "Brave"
	}
	if f.has(wordChrome) {
		if f.has(wordWebView) {
			return "Mobile app (web view)" // Android's WebView
		}
		return "Chrome"
	}
	// Android's old stock browser: WebKit and "Version/4.0 Mobile
	// Safari/" without a Chrome/ token.
	if f.has(wordAndroid) {
		if f.has(wordWebKit) && f.has(wordVersion) && f.has(wordSafari) {
			return "Android browser"
		}
		return ""
	}
	if f.has(wordWebKit) && f.has(wordSafari) && f.has(wordVersion|wordMacintosh|wordIPhone|wordIPad) {
		return "Safari"
	}
	return ""
}

// osTokens map platform tokens to OS families, in order: Windows Phone
// agents also say "Android", Android agents "Linux", iOS agents "Mac OS X".
var osTokens = []osToken{
	{"Windows Phone", []string{"Windows Phone", "WPDesktop"}},
	{"Android", []string{"Android"}},
	{"iOS", []string{"iPhone", "iPad", "iPod", "iOS ", "CriOS/", "FxiOS/", "EdgiOS/", "OPiOS/"}},
	{"Chrome OS", []string{"CrOS "}},
	{"Windows", []string{"Windows", "Win98", "Win95", "WinNT", "Win 9x", "Win32", "Win64"}},
	{"macOS", []string{"Mac OS X", "Macintosh", "Mac_PowerPC"}},
	{"BSD", []string{"FreeBSD", "OpenBSD", "NetBSD"}},
	{"Linux", []string{"Linux", "X11", "Ubuntu", "Fedora"}},
}

type osToken struct {
	family string
	tokens []string
}

// tokenOS is the agent's OS family by its platform tokens, or "", by the
// facts its scan found (agentclass.go).
func tokenOS(f *agentFacts) string {
	if f.os != noEntry {
		return osTokens[f.os].family
	}
	return ""
}
