package analysis

import "strings"

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

// tokenBrowserLow is the browser family the agent names by its product
// tokens (browserTokens, then Brave and web views), or ""; low is the
// agent in lower case.
func tokenBrowserLow(agent, low string) string {
	// The first rule with a token the agent contains (agentclass.go).
	if i := browserMatcher().match(agent); i >= 0 {
		return browserTokens[i].family
	}
	if strings.Contains(low, "brave/") || strings.Contains(low, " brave ") || strings.HasSuffix(low, " brave") {
		return "Brave"
	}
	if strings.Contains(agent, "Chrome/") {
		if strings.Contains(agent, "; wv)") {
			return "Mobile app (web view)" // Android's WebView
		}
		return "Chrome"
	}
	// Android's old stock browser: WebKit and "Version/4.0 Mobile
	// Safari/" without a Chrome/ token.
	if strings.Contains(agent, "Android") {
		if strings.Contains(agent, "AppleWebKit/") && strings.Contains(agent, "Version/") && strings.Contains(agent, "Safari/") {
			return "Android browser"
		}
		return ""
	}
	if strings.Contains(agent, "AppleWebKit/") && strings.Contains(agent, "Safari/") &&
		(strings.Contains(agent, "Version/") || strings.Contains(agent, "Macintosh") || strings.Contains(agent, "iPhone") || strings.Contains(agent, "iPad")) {
		return "Safari"
	}
	return ""
}

// osTokens map platform tokens to OS families, in order: Windows Phone
// agents also say "Android", Android agents "Linux", iOS agents "Mac OS X".
var osTokens = []struct {
	family string
	tokens []string
}{
	{"Windows Phone", []string{"Windows Phone", "WPDesktop"}},
	{"Android", []string{"Android"}},
	{"iOS", []string{"iPhone", "iPad", "iPod", "iOS ", "CriOS/", "FxiOS/", "EdgiOS/", "OPiOS/"}},
	{"Chrome OS", []string{"CrOS "}},
	{"Windows", []string{"Windows", "Win98", "Win95", "WinNT", "Win 9x", "Win32", "Win64"}},
	{"macOS", []string{"Mac OS X", "Macintosh", "Mac_PowerPC"}},
	{"BSD", []string{"FreeBSD", "OpenBSD", "NetBSD"}},
	{"Linux", []string{"Linux", "X11", "Ubuntu", "Fedora"}},
}

// tokenOS is the agent's OS family by its platform tokens, or "".
func tokenOS(agent string) string {
	if i := osMatcher().match(agent); i >= 0 {
		return osTokens[i].family
	}
	return ""
}
