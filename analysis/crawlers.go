package analysis

import (
	"fmt"
	"strings"
)

// The crawlers and automated clients the report names, as data: one entry
// per crawler with its name, the case-insensitive substrings of the
// User-Agent header that identify it, and its kind. The first entry whose
// token an agent contains names the agent, so an entry whose token
// contains another's (Applebot-Extended, Applebot) comes first.
//
// To add a crawler, add a line in its kind's block:
//
//	{"ExampleBot", []string{"examplebot"}, KindSearch},
//
// with the vendor's page in the block's comment, and a case in
// TestCrawlerNames. Users add their own with --crawler 'Name=token'
// (CrawlerRule), which are tried before these.
//
// Sources: each vendor's published agent documentation, cited per block.
// Some names are robots.txt product tokens that their vendors say never
// appear in a User-Agent (Google-Extended, Applebot-Extended); they are
// listed so that a log that does show them is named right.

// Kinds of crawler.
const (
	KindSearch  = "search engine crawler"
	KindAI      = "AI crawler"
	KindSEO     = "SEO tool"
	KindSocial  = "social preview"
	KindMonitor = "monitor"
	KindFeed    = "feed reader"
	KindArchive = "archiver"
	KindScanner = "scanner"
	KindTool    = "HTTP library or tool"
	KindOther   = "other bot"
	KindUser    = "added by --crawler"
)

// Crawler is one entry of the list.
type Crawler struct {
	Name   string
	Tokens []string // lower case
	Kind   string
}

var crawlerList = []Crawler{
	// AI crawlers and AI assistants' fetchers.
	// OpenAI: https://platform.openai.com/docs/bots
	{"GPTBot", []string{"gptbot"}, KindAI},
	{"ChatGPT-User", []string{"chatgpt-user"}, KindAI},
	{"OAI-SearchBot", []string{"oai-searchbot"}, KindAI},
	// Anthropic: https://support.anthropic.com/en/articles/8896518 (ClaudeBot,
	// Claude-User, Claude-SearchBot; anthropic-ai and Claude-Web are older).
	{"ClaudeBot", []string{"claudebot"}, KindAI},
	{"Claude-User", []string{"claude-user"}, KindAI},
	{"Claude-SearchBot", []string{"claude-searchbot"}, KindAI},
	{"Claude-Web", []string{"claude-web"}, KindAI},
	{"anthropic-ai", []string{"anthropic-ai"}, KindAI},
	// Common Crawl: https://commoncrawl.org/ccbot
	{"CCBot", []string{"ccbot"}, KindAI},
	// Perplexity: https://docs.perplexity.ai/guides/bots
	{"PerplexityBot", []string{"perplexitybot"}, KindAI},
	{"Perplexity-User", []string{"perplexity-user"}, KindAI},
	// ByteDance: https://bytespider.bytedance.com (agent "Bytespider")
	{"Bytespider", []string{"bytespider"}, KindAI},
	// Amazon: https://developer.amazon.com/amazonbot
	{"Amazonbot", []string{"amazonbot"}, KindAI},
	// Google's AI training token: https://developers.google.com/search/docs/crawling-indexing/google-common-crawlers
	{"Google-Extended", []string{"google-extended"}, KindAI},
	{"GoogleOther", []string{"googleother"}, KindAI},
	// Apple: https://support.apple.com/en-us/119829
	{"Applebot-Extended", []string{"applebot-extended"}, KindAI},
	// Meta: https://developers.facebook.com/docs/sharing/webmasters/web-crawlers
	{"meta-externalagent", []string{"meta-externalagent"}, KindAI},
	{"meta-externalfetcher", []string{"meta-externalfetcher"}, KindAI},
	// Cohere: https://docs.cohere.com (agents "cohere-ai", "cohere-training-data-crawler")
	{"cohere-ai", []string{"cohere-ai"}, KindAI},
	{"cohere-training-data-crawler", []string{"cohere-training-data-crawler"}, KindAI},
	// Diffbot: https://docs.diffbot.com/docs/diffbot-user-agent
	{"Diffbot", []string{"diffbot"}, KindAI},
	// You.com: https://about.you.com/youbot/
	{"YouBot", []string{"youbot"}, KindAI},
	// DuckDuckGo's assistant: https://duckduckgo.com/duckduckgo-help-pages/results/duckassistbot
	{"DuckAssistBot", []string{"duckassistbot"}, KindAI},
	// Mistral: https://docs.mistral.ai/robots
	{"MistralAI-User", []string{"mistralai-user"}, KindAI},
	// Allen Institute: https://allenai.org/crawler
	{"AI2Bot", []string{"ai2bot"}, KindAI},
	// Timpi: https://timpi.io/crawler
	{"Timpibot", []string{"timpibot"}, KindAI},
	// ImageSift: https://imagesift.com/about
	{"ImagesiftBot", []string{"imagesiftbot"}, KindAI},

	// Search engines.
	// Google: https://developers.google.com/search/docs/crawling-indexing/overview-google-crawlers
	{"Googlebot", []string{"googlebot"}, KindSearch},
	{"Google-InspectionTool", []string{"google-inspectiontool"}, KindSearch},
	{"AdsBot-Google", []string{"adsbot-google"}, KindSearch},
	{"Mediapartners-Google", []string{"mediapartners-google"}, KindSearch},
	{"Storebot-Google", []string{"storebot-google"}, KindSearch},
	// Bing: https://www.bing.com/webmasters/help/which-crawlers-does-bing-use-8c184ec0
	{"bingbot", []string{"bingbot"}, KindSearch},
	{"BingPreview", []string{"bingpreview"}, KindSearch},
	{"msnbot", []string{"msnbot"}, KindSearch},
	{"AdIdxBot", []string{"adidxbot"}, KindSearch},
	// Yahoo: https://help.yahoo.com/kb/SLN22600.html
	{"Yahoo! Slurp", []string{"yahoo! slurp"}, KindSearch},
	// Yandex: https://yandex.com/support/webmaster/robot-workings/check-yandex-robots.html
	{"YandexBot", []string{"yandexbot", "yandex.com/bots"}, KindSearch},
	// Baidu: https://www.baidu.com/search/robots_english.html
	{"Baiduspider", []string{"baiduspider"}, KindSearch},
	// DuckDuckGo: https://duckduckgo.com/duckduckgo-help-pages/results/duckduckbot
	{"DuckDuckBot", []string{"duckduckbot"}, KindSearch},
	// Apple: https://support.apple.com/en-us/119829
	{"Applebot", []string{"applebot"}, KindSearch},
	// Huawei: https://webmaster.petalsearch.com/site/petalbot
	{"PetalBot", []string{"petalbot"}, KindSearch},
	// Seznam: https://napoveda.seznam.cz/en/seznamcz-web-search/
	{"SeznamBot", []string{"seznambot"}, KindSearch},
	// Sogou: http://www.sogou.com/docs/help/webmasters.htm
	{"Sogou", []string{"sogou web spider", "sogou spider"}, KindSearch},
	// Naver: https://naver.me/spd (agent "Yeti")
	{"Yeti (Naver)", []string{"yeti/"}, KindSearch},
	// Mojeek: https://www.mojeek.com/bot.html
	{"MojeekBot", []string{"mojeekbot"}, KindSearch},
	// Qwant: https://help.qwant.com/bot/
	{"Qwantify", []string{"qwantify", "qwantbot"}, KindSearch},
	// Coc Coc: https://help.coccoc.com/en/search-engine
	{"coccocbot", []string{"coccocbot"}, KindSearch},
	// Exalead: https://www.exalead.com (agent "Exabot")
	{"Exabot", []string{"exabot"}, KindSearch},
	// Mail.ru: https://help.mail.ru/webmaster/indexing/robots
	{"Mail.RU_Bot", []string{"mail.ru_bot"}, KindSearch},
	// Qihoo 360: agent "360Spider"
	{"360Spider", []string{"360spider"}, KindSearch},
	// Brave Search: https://search.brave.com/help/brave-search-crawler
	{"Bravebot", []string{"bravebot"}, KindSearch},

	// SEO tools.
	// Ahrefs: https://ahrefs.com/robot
	{"AhrefsBot", []string{"ahrefsbot", "ahrefssiteaudit"}, KindSEO},
	// Semrush: https://www.semrush.com/bot/
	{"SemrushBot", []string{"semrushbot", "siteauditbot"}, KindSEO},
	// Majestic: https://mj12bot.com
	{"MJ12bot", []string{"mj12bot"}, KindSEO},
	// Moz: https://moz.com/help/moz-procedures/crawlers
	{"DotBot", []string{"dotbot"}, KindSEO},
	{"rogerbot", []string{"rogerbot"}, KindSEO},
	// WebMeUp: https://webmeup-crawler.com
	{"BLEXBot", []string{"blexbot"}, KindSEO},
	// DataForSEO: https://dataforseo.com/dataforseo-bot
	{"DataForSeoBot", []string{"dataforseobot"}, KindSEO},
	// Serpstat: https://serpstatbot.com
	{"serpstatbot", []string{"serpstatbot"}, KindSEO},
	// Babbar: https://www.babbar.tech/crawler
	{"Barkrowler", []string{"barkrowler"}, KindSEO},
	// Screaming Frog: https://www.screamingfrog.co.uk/seo-spider/user-guide/configuration/#user-agent
	{"Screaming Frog SEO Spider", []string{"screaming frog"}, KindSEO},

	// Social previews (link unfurlers).
	// Meta: https://developers.facebook.com/docs/sharing/webmasters/web-crawlers
	{"facebookexternalhit", []string{"facebookexternalhit", "facebookcatalog"}, KindSocial},
	// X: https://developer.x.com/en/docs/x-for-websites/cards/guides/getting-started
	{"Twitterbot", []string{"twitterbot"}, KindSocial},
	// LinkedIn: https://www.linkedin.com/help/linkedin/answer/a1325996
	{"LinkedInBot", []string{"linkedinbot"}, KindSocial},
	// Slack: https://api.slack.com/robots
	{"Slackbot", []string{"slackbot"}, KindSocial},
	// Discord: https://discord.com/developers/docs/resources/message#embed-object
	{"Discordbot", []string{"discordbot"}, KindSocial},
	// Telegram: https://core.telegram.org/bots/webapps (link previews: "TelegramBot (like TwitterBot)")
	{"TelegramBot", []string{"telegrambot"}, KindSocial},
	// WhatsApp link previews: agent "WhatsApp/2.x"
	{"WhatsApp", []string{"whatsapp/"}, KindSocial},
	// Pinterest: https://help.pinterest.com/en/business/article/pinterest-crawler
	{"Pinterestbot", []string{"pinterestbot", "pinterest/0."}, KindSocial},
	// Reddit: agent "redditbot/1.0"
	{"redditbot", []string{"redditbot"}, KindSocial},
	// Microsoft Skype/Teams: "SkypeUriPreview"
	{"SkypeUriPreview", []string{"skypeuripreview"}, KindSocial},
	// Iframely: https://iframely.com/docs/about
	{"Iframely", []string{"iframely"}, KindSocial},
	// Embedly: https://embed.ly/docs
	{"Embedly", []string{"embedly"}, KindSocial},
	// VK: agent "vkShare"
	{"vkShare", []string{"vkshare"}, KindSocial},
	// Mastodon servers fetching link previews: agent "Mastodon/4.x (http.rb/...; +https://server/)"
	{"Mastodon", []string{"mastodon/"}, KindSocial},

	// Monitors and health checks.
	// UptimeRobot: https://uptimerobot.com/help/locations/
	{"UptimeRobot", []string{"uptimerobot"}, KindMonitor},
	// Pingdom: https://documentation.solarwinds.com/en/success_center/pingdom/content/topics/pingdom-probe-servers.htm
	{"Pingdom", []string{"pingdom"}, KindMonitor},
	// StatusCake: https://www.statuscake.com/kb/knowledge-base/what-are-your-ips/
	{"StatusCake", []string{"statuscake"}, KindMonitor},
	// Site24x7: https://www.site24x7.com/help/admin/adding-a-monitor/user-agent.html
	{"Site24x7", []string{"site24x7"}, KindMonitor},
	// Better Stack: agent "Better Uptime Bot"
	{"Better Uptime", []string{"better uptime", "betteruptime"}, KindMonitor},
	// Uptime Kuma: agent "Uptime-Kuma/1.x"
	{"Uptime Kuma", []string{"uptime-kuma"}, KindMonitor},
	// New Relic: agent "NewRelicPinger/1.0"
	{"NewRelicPinger", []string{"newrelicpinger"}, KindMonitor},
	// Datadog: https://docs.datadoghq.com/synthetics/ (agent "Datadog/Synthetics")
	{"Datadog Synthetics", []string{"datadog/synthetics"}, KindMonitor},
	// AWS: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
	{"ELB-HealthChecker", []string{"elb-healthchecker"}, KindMonitor},
	// Google Cloud health checks: agent "GoogleHC/1.0"
	{"GoogleHC", []string{"googlehc/"}, KindMonitor},
	// Kubernetes: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
	{"kube-probe", []string{"kube-probe"}, KindMonitor},
	// Nagios / Monitoring Plugins: agent "check_http/v2.x (monitoring-plugins x)"
	{"check_http", []string{"check_http"}, KindMonitor},
	// Zabbix: agent "Zabbix"
	{"Zabbix", []string{"zabbix"}, KindMonitor},

	// Feed readers; many announce their subscribers in the agent
	// ("; 42 subscribers;"), which feedSubscribers reads.
	// Feedly: http://www.feedly.com/fetcher.html
	{"Feedly", []string{"feedly"}, KindFeed},
	// Inoreader: https://www.inoreader.com/blog (agent "...; inoreader.com; N subscribers")
	{"Inoreader", []string{"inoreader"}, KindFeed},
	// NewsBlur: https://www.newsblur.com (agent "NewsBlur Feed Fetcher - N subscribers - URL")
	{"NewsBlur", []string{"newsblur"}, KindFeed},
	// Feedbin: https://feedbin.com (agent "Feedbin feed-id:N - N subscribers")
	{"Feedbin", []string{"feedbin"}, KindFeed},
	// The Old Reader: https://theoldreader.com (agent "...; theoldreader.com; N subscribers; feed-id=...")
	{"The Old Reader", []string{"theoldreader"}, KindFeed},
	// Tiny Tiny RSS: https://tt-rss.org (agent "Tiny Tiny RSS/x (http://tt-rss.org/)")
	{"Tiny Tiny RSS", []string{"tiny tiny rss", "tt-rss.org"}, KindFeed},
	// FreshRSS: https://freshrss.org (agent "FreshRSS/x (...)")
	{"FreshRSS", []string{"freshrss"}, KindFeed},
	// Miniflux: https://miniflux.app (agent "Mozilla/5.0 (compatible; Miniflux/x; +https://miniflux.app)")
	{"Miniflux", []string{"miniflux"}, KindFeed},
	// Google's feed fetcher: https://developers.google.com/search/docs/crawling-indexing/google-user-triggered-fetchers
	{"Feedfetcher-Google", []string{"feedfetcher-google"}, KindFeed},
	// FeedBurner: agent "FeedBurner/1.0 (http://www.FeedBurner.com)"
	{"FeedBurner", []string{"feedburner"}, KindFeed},
	// NetNewsWire: https://netnewswire.com (agent "NetNewsWire (RSS Reader; https://netnewswire.com/)")
	{"NetNewsWire", []string{"netnewswire"}, KindFeed},
	// Feedspot: agent "Feedspot/1.0 (+https://www.feedspot.com/fs/fetcher; like FeedFetcher-Google)"
	{"Feedspot", []string{"feedspot"}, KindFeed},
	// Newsboat: https://newsboat.org (agent "Newsboat/x")
	{"Newsboat", []string{"newsboat"}, KindFeed},
	// Liferea: https://lzone.de/liferea/ (agent "Liferea/x")
	{"Liferea", []string{"liferea"}, KindFeed},
	// Superfeedr: https://superfeedr.com (agent "Superfeedr bot/2.0")
	{"Superfeedr", []string{"superfeedr"}, KindFeed},
	// CommaFeed: https://www.commafeed.com (agent "CommaFeed/x (https://www.commafeed.com)")
	{"CommaFeed", []string{"commafeed"}, KindFeed},
	// Flipboard: agent "Mozilla/5.0 (compatible; FlipboardRSS/1.1; +http://flipboard.com/browserproxy)"
	{"Flipboard", []string{"flipboardrss", "flipboardproxy"}, KindFeed},
	// Bloglovin: agent "Bloglovin/1.0 (http://www.bloglovin.com; N subscribers)"
	{"Bloglovin", []string{"bloglovin"}, KindFeed},

	// Archivers.
	// Internet Archive: https://archive.org/details/archive.org_bot
	{"archive.org_bot", []string{"archive.org_bot", "ia_archiver"}, KindArchive},
	{"Heritrix", []string{"heritrix"}, KindArchive},

	// Scanners: internet-wide surveys and attack tools, by their
	// default agents.
	{"Censys", []string{"censys"}, KindScanner},
	{"zgrab", []string{"zgrab"}, KindScanner},
	{"masscan", []string{"masscan"}, KindScanner},
	{"Nmap", []string{"nmap"}, KindScanner},
	{"Nuclei", []string{"nuclei"}, KindScanner},
	{"sqlmap", []string{"sqlmap"}, KindScanner},
	{"Nikto", []string{"nikto"}, KindScanner},
	{"WPScan", []string{"wpscan"}, KindScanner},
	{"Expanse", []string{"expanse, a palo alto networks company"}, KindScanner},
	{"InternetMeasurement", []string{"internetmeasurement"}, KindScanner},

	// HTTP libraries, command-line tools and headless browsers, by the
	// product tokens of their default agents.
	{"python-requests", []string{"python-requests"}, KindTool},
	{"python-urllib", []string{"python-urllib"}, KindTool},
	{"aiohttp", []string{"aiohttp"}, KindTool},
	{"httpx", []string{"python-httpx"}, KindTool},
	{"Scrapy", []string{"scrapy"}, KindTool},
	{"curl", []string{"curl/"}, KindTool},
	{"Wget", []string{"wget/"}, KindTool},
	{"Go-http-client", []string{"go-http-client"}, KindTool},
	{"okhttp", []string{"okhttp"}, KindTool},
	{"Apache-HttpClient", []string{"apache-httpclient"}, KindTool},
	{"Java", []string{"java/", "java1."}, KindTool}, // old JREs: "Java1.4.0_02"
	{"node-fetch", []string{"node-fetch"}, KindTool},
	{"axios", []string{"axios/"}, KindTool},
	{"undici", []string{"undici"}, KindTool},
	{"libwww-perl", []string{"libwww-perl"}, KindTool},
	{"Guzzle", []string{"guzzlehttp"}, KindTool},
	{"HTTPie", []string{"httpie/"}, KindTool},
	{"PowerShell", []string{"windowspowershell"}, KindTool},
	{"WinHttp", []string{"winhttp"}, KindTool},
	// Package managers, by their agents: cargo ("cargo 1.74.0 (ecb9851af
	// 2023-10-18)", crates.io's logs), pip, npm, APT, Homebrew, Maven.
	{"cargo", []string{"cargo 1.", "cargo/"}, KindTool},
	{"pip", []string{"pip/"}, KindTool},
	{"npm", []string{"npm/"}, KindTool},
	{"APT", []string{"debian apt-http", "apt-http/"}, KindTool},
	{"Homebrew", []string{"homebrew/"}, KindTool},
	{"Maven", []string{"apache-maven/"}, KindTool},
	{"HeadlessChrome", []string{"headlesschrome"}, KindTool},
	{"PhantomJS", []string{"phantomjs"}, KindTool},
}

// CrawlerRule is a crawler the user names: an agent that contains Token
// (case-insensitively) is the crawler Name. Rules are tried before the
// built-in list.
type CrawlerRule struct {
	Name, Token string
}

// ParseCrawlerRule reads "Name=token", as --crawler takes it.
func ParseCrawlerRule(s string) (CrawlerRule, error) {
	name, token, ok := strings.Cut(s, "=")
	name, token = strings.TrimSpace(name), strings.TrimSpace(token)
	if !ok || name == "" || token == "" {
		return CrawlerRule{}, fmt.Errorf("crawler rule: want NAME=TOKEN (the crawler's name, and a part of its user agent), got %q", s)
	}
	return CrawlerRule{Name: name, Token: token}, nil
}

// feedSubscribers reads the subscriber count a feed reader's agent
// announces ("; 42 subscribers;", "- 1 subscribers"), and the feed it
// names ("feed-id=…", "feed-id:…", or a URL after the count, as
// NewsBlur's agent gives it). ok is false when the agent gives no count.
func feedSubscribers(agent string) (n int, feed string, ok bool) {
	low := lowerASCII(agent) // indexes agent
	i := strings.Index(low, " subscriber")
	if i < 0 {
		return 0, "", false
	}
	j := i
	for j > 0 && low[j-1] >= '0' && low[j-1] <= '9' {
		j--
	}
	if j == i || i-j > 9 {
		return 0, "", false
	}
	for _, c := range agent[j:i] {
		n = n*10 + int(c-'0')
	}
	if k := strings.Index(low, "feed-id"); k >= 0 && k+8 <= len(agent) {
		rest := agent[k+8:]
		if e := strings.IndexAny(rest, " ;)"); e >= 0 {
			rest = rest[:e]
		}
		feed = rest
	} else if k := strings.Index(low[i:], "http"); k >= 0 {
		rest := agent[i+k:]
		if e := strings.IndexAny(rest, " ;)"); e >= 0 {
			rest = rest[:e]
		}
		feed = rest
	}
	return n, Clean(feed, 80), true
}

// IsCrawler reports whether the agent names a crawler or an automated
// client, by the user's rules and then the built-in list, as the
// user_agents section classes it (a browser-like agent that fetched
// /robots.txt, which that section also counts as a crawler, is not one
// here: that takes the client's other requests).
func IsCrawler(agent string, user []CrawlerRule) bool {
	name, _ := crawlerName(agent, user)
	return name != ""
}
