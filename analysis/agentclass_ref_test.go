package analysis

import (
	"strings"

	"github.com/mssola/useragent"
)

// The classification of agents as it was before the one-pass scan of
// agentclass.go, kept as the reference the scan is held to
// (TestClassifySameAsReference, FuzzClassifyAgent): the agent lower-cased
// with strings.ToLower, the crawler list, the generic bot words, the
// mssola bot filter, the browser and OS tokens each tried with
// strings.Contains in turn, and mssola/useragent for the rest. The lists
// and the naming helpers (crawlerList, browserTokens, osTokens,
// firstProduct, leadProduct, correctFamily, browserFamily, osFamily) are
// the production ones: the reference is of the logic, not of the data.

func refClassifyAgent(agent string, user []CrawlerRule) agentInfo {
	if agent == "" {
		return agentInfo{browser: familyUnknown, os: familyUnknown}
	}
	low := strings.ToLower(agent)
	c, k, ua := refCrawlerName(agent, low, user)
	if c != "" {
		return agentInfo{crawler: c, kind: k, browser: familyCrawler, os: familyCrawler}
	}
	browser, os := refTokenBrowser(agent, low), refTokenOS(agent)
	if browser == "" || os == "" {
		if ua == nil {
			ua = useragent.New(agent)
		}
		if browser == "" {
			name, _ := ua.Browser()
			browser = correctFamily(agent, browserFamily(name))
		}
		if os == "" {
			os = osFamily(ua.OSInfo().Name)
		}
	}
	return agentInfo{browser: browser, os: os}
}

func refCrawlerName(agent, low string, user []CrawlerRule) (name, kind string, parsed *useragent.UserAgent) {
	if agent == "" {
		return "", "", nil
	}
	for _, r := range user {
		if strings.Contains(low, strings.ToLower(r.Token)) {
			return r.Name, KindUser, nil
		}
	}
	if i := firstGroupByContains(low, refCrawlerTokens); i >= 0 {
		return crawlerList[i].Name, crawlerList[i].Kind, nil
	}
	generic := low
	for _, w := range notBotWords {
		generic = strings.ReplaceAll(generic, w, "")
	}
	for _, t := range genericBotTokens {
		if strings.Contains(generic, t) {
			return firstProduct(agent), KindOther, nil
		}
	}
	if !refMssolaMayBeBot(agent, low) {
		return "", "", nil
	}
	ua := useragent.New(agent)
	if ua.Bot() {
		return leadProduct(agent), KindOther, ua
	}
	return "", "", ua
}

var refCrawlerTokens, refBrowserTokens = func() (c, b [][]string) {
	for _, e := range crawlerList {
		c = append(c, e.Tokens)
	}
	for _, e := range browserTokens {
		b = append(b, e.tokens)
	}
	return c, b
}()

// refMssolaWords are mssola/useragent v1.0.0's bot words (bot.go).
var refMssolaWords = []string{"bot", "crawler", "spider", "spyder", "search", "worm", "fetch", "nutch"}

func refMssolaMayBeBot(agent, low string) bool {
	for i := 0; i < len(agent); i++ {
		if agent[i] >= 0x80 {
			return true
		}
	}
	if strings.Contains(agent, "http") {
		return true
	}
	for _, w := range refMssolaWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

func refTokenBrowser(agent, low string) string {
	if i := firstGroupByContains(agent, refBrowserTokens); i >= 0 {
		return browserTokens[i].family
	}
	if strings.Contains(low, "brave/") || strings.Contains(low, " brave ") || strings.HasSuffix(low, " brave") {
		return "Brave"
	}
	if strings.Contains(agent, "Chrome/") {
		if strings.Contains(agent, "; wv)") {
			return "Mobile app (web view)"
		}
		return "Chrome"
	}
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

func refTokenOS(agent string) string {
	for _, r := range osTokens {
		for _, t := range r.tokens {
			if strings.Contains(agent, t) {
				return r.family
			}
		}
	}
	return ""
}
