package main

// This file owns the commands' usage texts, kept as text in usage/ (the flags follow them).

import _ "embed"

var (
	//go:embed usage/compare.txt
	compareUsage string
	//go:embed usage/get.txt
	getUsage string
	//go:embed usage/crawl.txt
	crawlUsage string
	//go:embed usage/report.txt
	reportUsage string
	//go:embed usage/lesson.txt
	lessonUsage string
	//go:embed usage/serve.txt
	serveUsage string
	//go:embed usage/worker.txt
	workerUsage string
)
